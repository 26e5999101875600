/**
 * Downloads everything a raw TCP source sends, directly or through an HTTP proxy's CONNECT tunnel,
 * and times it. Bytes are counted and dropped; the tunnel's `200` answer is not counted.
 */
import { connect } from 'node:net';

export interface Download {
  bytes: number;
  seconds: number;
}

export interface Via {
  port: number;
  /** Sent as `Proxy-Authorization: Bearer`; none for a proxy that does not ask. */
  token?: string;
}

export function download(sourcePort: number, via?: Via): Promise<Download> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const socket = connect(via?.port ?? sourcePort, '127.0.0.1');
    let tunnelled = via === undefined;
    let head = '';
    let bytes = 0;
    socket.once('connect', () => {
      if (via === undefined) return;
      const auth = via.token === undefined ? '' : `Proxy-Authorization: Bearer ${via.token}\r\n`;
      socket.write(`CONNECT 127.0.0.1:${sourcePort} HTTP/1.1\r\nHost: 127.0.0.1:${sourcePort}\r\n${auth}\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      if (tunnelled) {
        bytes += chunk.length;
        return;
      }
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      if (!/^HTTP\/1\.[01] 200/.test(head)) {
        socket.destroy();
        reject(new Error(`CONNECT refused: ${head.slice(0, end)}`));
        return;
      }
      tunnelled = true;
      bytes += Buffer.byteLength(head, 'latin1') - end - 4;
    });
    socket.once('error', reject);
    socket.once('close', () => resolve({ bytes, seconds: Number(process.hrtime.bigint() - started) / 1e9 }));
  });
}
