/**
 * Cache and state files written atomically and read back through a schema: what lets a restarted
 * edge or service act on its last good state before it has reached the portal.
 */
import { randomBytes } from 'node:crypto';
import { readFile, open as openFile, rename, rm } from 'node:fs/promises';
import type { z } from 'zod';

/**
 * Temp file, fsync, rename: a crash leaves the old file or the new one, never half of one. The mode
 * is set explicitly, since the process umask may have cleared bits of the one given at creation.
 */
export async function writeFileAtomic(path: string, body: string | Uint8Array, mode = 0o644): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await openFile(tmp, 'wx', mode);
    try {
      await handle.writeFile(body);
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** The file's content parsed by `schema`; undefined when there is no file. Throws when it is unreadable or invalid. */
export async function readStateFile<T>(path: string, schema: z.ZodType<T>): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return undefined;
    throw err;
  }
  return schema.parse(JSON.parse(text));
}
