/**
 * The extension's connection to the native host: `connectNative`, then `watch`, then the host's
 * pushes about the service. When the port drops, every pending call is rejected, the browser's reason
 * is recorded, and the connection is retried with backoff — slowly while the host is not installed.
 *
 * Nothing here is authoritative across worker restarts: each wake starts a fresh connection, and the
 * link state it reports is persisted by the caller (see connection-state.ts).
 */
import type { NativePush, ServiceLink } from '../../protocol/native.js';
import { NATIVE_HOST_NAME } from '../../protocol/native.js';
import { Backoff } from './backoff.js';
import type { HostLink } from './connection-state.js';
import { NativeRpc } from './native-rpc.js';

/** The browser's words when no native-host manifest names Waygate (Chromium's exact message). */
const HOST_NOT_FOUND = 'Specified native messaging host not found.';

export interface NativePort {
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage: { addListener(cb: (message: unknown) => void): void };
  onDisconnect: { addListener(cb: () => void): void };
}

export interface HostConnectionDeps {
  connectNative(name: string): NativePort;
  /** `runtime.lastError?.message` at the time of the disconnect. */
  lastError(): string | undefined;
  onLink(link: HostLink): void;
  now(): number;
}

export class HostConnection {
  private link: HostLink = { state: 'connecting', since: 0 };
  private port: NativePort | null = null;
  private current: NativeRpc | null = null;
  private service: ServiceLink | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly afterFailure = new Backoff(500, 10_000);
  private readonly whileNotInstalled = new Backoff(5_000, 60_000);

  constructor(private readonly deps: HostConnectionDeps) {}

  /** The RPC of the live connection, or null while not connected. */
  get rpc(): NativeRpc | null {
    return this.link.state === 'connected' ? this.current : null;
  }

  start(): void {
    this.connect();
  }

  /** Skips the backoff wait (the user asked). Does nothing while connected or connecting. */
  retryNow(): void {
    if (this.link.state === 'connected' || this.link.state === 'connecting') return;
    this.connect();
  }

  private connect(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.service = null;
    const port = this.deps.connectNative(NATIVE_HOST_NAME);
    const rpc = new NativeRpc(port, (push) => this.onPush(rpc, push));
    this.port = port;
    this.current = rpc;
    port.onMessage.addListener((message) => rpc.receive(message));
    port.onDisconnect.addListener(() => this.onDisconnect(port, this.deps.lastError()));
    this.setLink({ state: 'connecting', since: this.deps.now() });
    rpc.call('watch').then(
      () => {
        if (this.current !== rpc) return;
        this.afterFailure.reset();
        this.whileNotInstalled.reset();
        this.setLink({ state: 'connected', since: this.deps.now(), service: this.service });
      },
      () => undefined, // the disconnect handler reports why
    );
  }

  private onPush(rpc: NativeRpc, push: NativePush): void {
    if (this.current !== rpc) return;
    this.service = push.data;
    if (this.link.state === 'connected') this.setLink({ ...this.link, service: push.data });
  }

  private onDisconnect(port: NativePort, lastError: string | undefined): void {
    if (this.port !== port) return;
    const reason = lastError ?? 'The Waygate app closed the connection.';
    this.current?.close('DISCONNECTED', reason);
    this.port = null;
    const notInstalled = reason === HOST_NOT_FOUND;
    const delay = notInstalled ? this.whileNotInstalled.next() : this.afterFailure.next();
    const retryAt = this.deps.now() + delay;
    this.setLink(notInstalled ? { state: 'not-installed', reason, retryAt } : { state: 'disconnected', reason, retryAt });
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private setLink(link: HostLink): void {
    this.link = link;
    this.deps.onLink(link);
  }
}
