/**
 * Structured logs (pino) on stderr — never stdout, which belongs to native messaging in `waygate
 * native`. Anything that looks like a secret is redacted before it is written.
 */
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

const REDACT = [
  '*.token',
  '*.password',
  '*.credential',
  '*.secret',
  '*.authorization',
  '*.headers.authorization',
  '*.headers["proxy-authorization"]',
];

export function createLogger(name: string, level = process.env.WAYGATE_LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, redact: { paths: REDACT, censor: '[redacted]' } }, pino.destination({ fd: 2, sync: false }));
}
