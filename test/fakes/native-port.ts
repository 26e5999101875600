import type { NativePort } from '../../extension/lib/host-connection.js';

/** A native-messaging port the test drives: it sees what the extension posts and plays the host. */
export class FakeNativePort implements NativePort {
  readonly posted: unknown[] = [];
  disconnected = false;
  private messageListeners: ((m: unknown) => void)[] = [];
  private disconnectListeners: (() => void)[] = [];

  postMessage(message: unknown): void {
    this.posted.push(message);
  }
  disconnect(): void {
    this.disconnected = true;
  }
  onMessage = { addListener: (cb: (m: unknown) => void) => void this.messageListeners.push(cb) };
  onDisconnect = { addListener: (cb: () => void) => void this.disconnectListeners.push(cb) };

  /** The host sends a message. */
  deliver(message: unknown): void {
    for (const cb of this.messageListeners) cb(message);
  }
  /** The host goes away (the caller sets what `lastError` says). */
  drop(): void {
    for (const cb of this.disconnectListeners) cb();
  }
}
