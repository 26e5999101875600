/**
 * A synchronous name lookup across threads: the PAC worker blocks (Atomics.wait) on a shared buffer
 * while the main thread resolves the name and writes the answer there. One lookup at a time — the
 * worker runs one script call at a time. Each request carries a sequence number, so an answer that
 * arrives after the worker stopped waiting for it is never taken for the next one's.
 *
 * Layout (Int32): [0] 1 once answered, [1] the sequence number answered, [2] the answer's length in
 * bytes (-1: no address); then the answer's UTF-8 bytes.
 */
const HEADER_BYTES = 12;
const ANSWER_BYTES = 64;

export function newLookupBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + ANSWER_BYTES);
}

/** Worker side: announces request `seq` (the caller then posts the name to the main thread). */
export function beginLookup(buffer: SharedArrayBuffer): void {
  Atomics.store(new Int32Array(buffer, 0, 3), 0, 0);
}

/** Worker side: blocks until the answer to `seq` is written, or `timeoutMs` has passed (null). */
export function awaitLookup(buffer: SharedArrayBuffer, seq: number, timeoutMs: number): string | null {
  const header = new Int32Array(buffer, 0, 3);
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const left = deadline - performance.now();
    if (left <= 0) return null;
    Atomics.wait(header, 0, 0, left);
    if (Atomics.load(header, 0) === 1) {
      if (Atomics.load(header, 1) === seq) {
        const length = Atomics.load(header, 2);
        return length < 0 ? null : Buffer.from(new Uint8Array(buffer, HEADER_BYTES, length)).toString('utf8');
      }
      // A late answer to an earlier request: keep waiting for ours.
      Atomics.store(header, 0, 0);
    }
  }
}

/** Main side: writes the answer to request `seq` and wakes the worker. */
export function answerLookup(buffer: SharedArrayBuffer, seq: number, address: string | null): void {
  const header = new Int32Array(buffer, 0, 3);
  const bytes = address === null ? null : Buffer.from(address, 'utf8');
  if (bytes !== null && bytes.length <= ANSWER_BYTES) new Uint8Array(buffer, HEADER_BYTES, ANSWER_BYTES).set(bytes);
  Atomics.store(header, 2, bytes === null || bytes.length > ANSWER_BYTES ? -1 : bytes.length);
  Atomics.store(header, 1, seq);
  Atomics.store(header, 0, 1);
  Atomics.notify(header, 0);
}
