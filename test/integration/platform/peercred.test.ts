import { createConnection, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { peerCredentialsReader } from '../../../platform/peercred.js';
import { tempDir } from '../../support/waygate-process.js';

describe.runIf(process.platform === 'linux')('peer credentials of a Unix socket (SO_PEERCRED)', () => {
  it("reports the connecting process's uid, gid and pid, from the kernel", async () => {
    const { dir, cleanup } = await tempDir('peercred');
    const path = join(dir, 's.sock');
    let clientSide: Socket | undefined;
    const accepted = new Promise<Socket>((resolve) => {
      const server = createServer((s) => {
        resolve(s);
        server.close();
      });
      server.listen(path, () => (clientSide = createConnection(path)));
    });
    const serverSide = await accepted;
    expect(peerCredentialsReader('linux')(serverSide)).toEqual({ uid: process.getuid!(), gid: process.getgid!(), pid: process.pid });
    serverSide.destroy();
    clientSide?.destroy();
    await cleanup();
  });
});
