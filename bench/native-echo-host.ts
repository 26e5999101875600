/**
 * The browser's floor for native messaging: a host that answers every ping at once, with the same
 * framing code as `waygate native` but no service behind it.
 */
import { FrameDecoder, encodeFrame } from '../protocol/frame-codec.js';
import { BROWSER_TO_HOST_MAX_BYTES, HOST_TO_BROWSER_MAX_BYTES } from '../protocol/native.js';

const decoder = new FrameDecoder(BROWSER_TO_HOST_MAX_BYTES);
process.stdin.on('data', (chunk: Buffer) => {
  for (const event of decoder.push(chunk)) {
    if (event.kind !== 'message' || typeof event.value !== 'object' || event.value === null || !('id' in event.value)) {
      process.exit(2);
    }
    process.stdout.write(encodeFrame({ v: 1, id: event.value.id, result: { v: 1, pong: true } }, HOST_TO_BROWSER_MAX_BYTES));
  }
});
process.stdin.on('end', () => process.exit(0));
