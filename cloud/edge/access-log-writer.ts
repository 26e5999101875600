/**
 * The access log as JSON lines, one per request or tunnel, apart from the edge's own log so it can
 * be shipped and kept by its own rules. Written through pino's asynchronous destination: buffered,
 * in order, and flushed on close; a slow disk never blocks a request.
 */
import { pino } from 'pino';
import type { AccessLog } from './proxy/access-log.js';

export interface AccessLogWriter {
  readonly write: AccessLog;
  close(): Promise<void>;
}

/** `-` is standard output; anything else a file, appended to and created 0640 if missing. */
export function createAccessLogWriter(target: string): AccessLogWriter {
  const destination = pino.destination({ dest: target === '-' ? 1 : target, sync: false, mkdir: true, append: true });
  return {
    write: (entry) => destination.write(`${JSON.stringify(entry)}\n`),
    close: () =>
      new Promise((resolve) => {
        destination.flush(() => {
          // Standard output stays open for the rest of the process.
          if (target !== '-') destination.end();
          resolve();
        });
      }),
  };
}
