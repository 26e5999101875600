/**
 * Everything the native host sends to the browser goes through here, so that no frame ever exceeds
 * the browser's 1 MiB limit: an over-large reply becomes an error reply for the same request id,
 * and an over-large push is dropped and logged (the next push supersedes it anyway).
 */
import { WaygateError } from '../../protocol/errors.js';
import { encodeFrame } from '../../protocol/frame-codec.js';
import { HOST_TO_BROWSER_MAX_BYTES, NATIVE_PROTOCOL_VERSION, type HostMessage } from '../../protocol/native.js';
import type { Logger } from '../log.js';

export type FrameSink = (frame: Buffer) => void;

export function createHostWriter(sink: FrameSink, logger: Logger, limit = HOST_TO_BROWSER_MAX_BYTES): (message: HostMessage) => void {
  return (message) => {
    try {
      sink(encodeFrame(message, limit));
    } catch (err) {
      if (!(err instanceof WaygateError && err.code === 'FRAME_TOO_LARGE')) throw err;
      if ('event' in message) {
        logger.warn({ event: message.event, details: err.details }, 'native: push over the browser limit dropped');
        return;
      }
      sink(
        encodeFrame(
          {
            v: NATIVE_PROTOCOL_VERSION,
            id: message.id,
            error: {
              code: 'REPLY_TOO_LARGE',
              message: `The reply is larger than the ${limit}-byte limit the browser accepts from a native host.`,
              details: err.details,
            },
          },
          limit,
        ),
      );
    }
  };
}
