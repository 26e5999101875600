import { pino } from 'pino';
import type { Logger } from '../../host/log.js';

/** A logger that writes nothing, for tests that do not assert on logs. */
export const silentLogger: Logger = pino({ level: 'silent' });
