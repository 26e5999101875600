/**
 * One JSON file of the service's state: read through its schema, written atomically with mode 0600
 * (it may hold the device credential). A file that no longer parses is reported, not trusted.
 */
import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { readStateFile, writeFileAtomic } from '../../platform/state-file.js';

export class JsonStore<T> {
  constructor(
    readonly path: string,
    private readonly schema: z.ZodType<T>,
  ) {}

  /** The stored value; undefined when there is none. Throws when the file is unreadable or invalid. */
  load(): Promise<T | undefined> {
    return readStateFile(this.path, this.schema);
  }

  async save(value: T): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.path, `${JSON.stringify(value, null, 2)}\n`, 0o600);
  }

  async clear(): Promise<void> {
    await rm(this.path, { force: true });
  }
}
