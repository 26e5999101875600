/**
 * The Linux TUN device, through koffi (RECIPES.md "TUN from Node" has the measurements behind it).
 *
 * Reading: libuv tells us when the fd is readable (node's own `uv_poll_*` exports, called through
 * koffi, on the main thread's loop), then a synchronous read() loop drains the queue until EAGAIN and
 * hands the whole batch to `onPackets` at once. A libuv stream would deliver one packet per wakeup,
 * and fs.read would park a threadpool thread per read, starving dns/fs/crypto and making exit hang.
 * Writing: one write() per packet; the TUN takes exactly one packet per call.
 *
 * Lifecycle: open → start → (pause ⇄ resume)* → close. The poll handle is active only while reading,
 * so a paused or closed device never keeps the process alive. Main thread only: a worker has its own
 * loop, which these libuv calls cannot reach.
 */
import { existsSync } from 'node:fs';
import { endianness } from 'node:os';
import { isMainThread } from 'node:worker_threads';
import koffi, { type TypeObject } from 'koffi';
import { VIRTIO_NET_HDR_BYTES } from '../protocol/tunnel.js';
import { TunOpenError, type TunDevice, type TunError, type TunOptions } from './tun.js';

// <fcntl.h>
const O_RDWR = 0o2;
const O_NONBLOCK = 0o4000;
const O_CLOEXEC = 0o2000000;
// <linux/if_tun.h>
const TUNSETIFF = 0x400454ca;
const TUNSETOFFLOAD = 0x400454d0;
const TUNSETVNETHDRSZ = 0x400454d8;
const TUNSETPERSIST = 0x400454cb;
const IFF_TUN = 0x0001;
const IFF_NO_PI = 0x1000;
const IFF_VNET_HDR = 0x4000;
/** TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN: the kernel may hand us unchecksummed TCP super-packets. */
const OFFLOAD_FLAGS = 0x0f;
// <net/if.h>: struct ifreq is the 16-byte name followed by a 24-byte union whose first member is the short flags.
const IFNAMSIZ = 16;
const IFREQ_BYTES = 40;
// <uv.h>
const UV_POLL = 8;
const UV_READABLE = 1;

const ERRNO = koffi.os.errno;

function errnoNamed(name: string): number {
  const value = ERRNO[name];
  if (value === undefined) throw new Error(`koffi knows no errno ${name}.`);
  return value;
}

const EAGAIN = errnoNamed('EAGAIN');
const EINTR = errnoNamed('EINTR');
const EINVAL = errnoNamed('EINVAL');
/** The largest IP packet, plus the virtio header when offload is on: the kernel never hands more in one read(). */
const MAX_IP_PACKET = 65_535;
/**
 * Bounds one batch (memory, and the time other handles wait) when the kernel refills the queue as fast
 * as we drain it. The poll is level-triggered, so what is left wakes us again on the next loop turn.
 */
const MAX_PACKETS_PER_WAKEUP = 1024;
/** Errors after which the packet is lost but the device is fine (full queue, or a packet the kernel refused). */
const DROPPED_WRITE_ERRNOS = new Set([EAGAIN, errnoNamed('ENOBUFS'), EINVAL, EINTR]);

interface Native {
  readonly open: (path: string, flags: number) => number;
  readonly ioctlWithPointer: (fd: number, request: number, argument: Buffer) => number;
  readonly ioctlWithValue: (fd: number, request: number, value: number) => number;
  readonly read: (fd: number, into: Buffer) => number;
  readonly write: (fd: number, packet: Uint8Array) => number;
  readonly close: (fd: number) => number;
  readonly strerror: (errno: number) => string;
  readonly defaultLoop: () => bigint;
  readonly pollHandleSize: () => number;
  readonly pollInit: (loop: bigint, handle: bigint, fd: number) => number;
  readonly pollStart: (handle: bigint, onReadable: bigint) => number;
  readonly pollStop: (handle: bigint) => number;
  readonly closeHandle: (handle: bigint, onClosed: bigint) => void;
  readonly pollCallbackType: TypeObject;
  readonly closeCallbackType: TypeObject;
}

let native: Native | null = null;

function bind(): Native {
  if (native) return native;
  const libc = koffi.load('libc.so.6');
  // libuv is linked into the node binary and exported for addons: the process's own symbols have it.
  const node = koffi.load(null);
  const open = libc.func('int open(const char *path, int flags)');
  const ioctl = libc.func('int ioctl(int fd, unsigned long request, ...)');
  const read = libc.func('long read(int fd, _Out_ void *buf, size_t count)');
  const write = libc.func('long write(int fd, const void *buf, size_t count)');
  const close = libc.func('int close(int fd)');
  const strerror = libc.func('const char *strerror(int errnum)');
  const pollCallbackType = koffi.pointer(koffi.proto('void waygate_uv_poll_cb(void *handle, int status, int events)'));
  const closeCallbackType = koffi.pointer(koffi.proto('void waygate_uv_close_cb(void *handle)'));
  const uvDefaultLoop = node.func('void *uv_default_loop()');
  const uvHandleSize = node.func('size_t uv_handle_size(int type)');
  const uvPollInit = node.func('int uv_poll_init(void *loop, void *handle, int fd)');
  const uvPollStart = node.func('int uv_poll_start(void *handle, int events, waygate_uv_poll_cb *cb)');
  const uvPollStop = node.func('int uv_poll_stop(void *handle)');
  const uvClose = node.func('void uv_close(void *handle, waygate_uv_close_cb *cb)');
  native = {
    open: (path, flags) => Number(open(path, flags)),
    ioctlWithPointer: (fd, request, argument) => Number(ioctl(fd, request, 'void *', argument)),
    // TUNSETOFFLOAD takes its flags as the argument itself, not through a pointer.
    ioctlWithValue: (fd, request, value) => Number(ioctl(fd, request, 'unsigned long', value)),
    read: (fd, into) => Number(read(fd, into, into.length)),
    write: (fd, packet) => Number(write(fd, packet, packet.length)),
    close: (fd) => Number(close(fd)),
    strerror: (errno) => String(strerror(errno)),
    defaultLoop: () => pointer(uvDefaultLoop(), 'uv_default_loop'),
    pollHandleSize: () => Number(uvHandleSize(UV_POLL)),
    pollInit: (loop, handle, fd) => Number(uvPollInit(loop, handle, fd)),
    pollStart: (handle, onReadable) => Number(uvPollStart(handle, UV_READABLE, onReadable)),
    pollStop: (handle) => Number(uvPollStop(handle)),
    closeHandle: (handle, onClosed) => void uvClose(handle, onClosed),
    pollCallbackType,
    closeCallbackType,
  };
  return native;
}

/** koffi hands pointers over as bigint; anything else (null) means the call failed. */
function pointer(value: unknown, what: string): bigint {
  if (typeof value !== 'bigint' || value === 0n) throw new Error(`${what} returned no pointer.`);
  return value;
}

function describeErrno(code: number): string {
  const name = Object.entries(ERRNO).find(([, value]) => value === code)?.[0] ?? `errno ${code}`;
  return `${name}: ${bind().strerror(code)}`;
}

/** libuv returns negated errno values. */
function describeUvError(status: number): string {
  return describeErrno(-status);
}

const OPEN_REASONS = new Map<number, TunError>([
  [errnoNamed('EPERM'), 'permission-denied'],
  [errnoNamed('EACCES'), 'permission-denied'],
  [errnoNamed('ENOENT'), 'no-tun-driver'],
  [errnoNamed('ENODEV'), 'no-tun-driver'],
  [errnoNamed('ENXIO'), 'no-tun-driver'],
  [errnoNamed('EBUSY'), 'name-in-use'],
]);

function openReason(code: number, requestedName: string | undefined): TunError {
  // TUNSETIFF on a name held by an interface of another kind (a veth, a TAP) fails with EINVAL.
  if (code === EINVAL && requestedName !== undefined && existsSync(`/sys/class/net/${requestedName}`)) return 'name-in-use';
  return OPEN_REASONS.get(code) ?? 'failed';
}

const REASON_ADVICE: Record<TunError, string> = {
  'permission-denied': 'Run as root or grant CAP_NET_ADMIN.',
  'no-tun-driver': 'Load the tun module (modprobe tun) or give the container /dev/net/tun.',
  'name-in-use': 'Another interface already has this name; pick another or let the kernel choose.',
  'unsupported-platform': '',
  failed: '',
};

function openError(step: string, code: number, requestedName: string | undefined): TunOpenError {
  const reason = openReason(code, requestedName);
  return new TunOpenError(reason, `Could not open a TUN device: ${step} failed (${describeErrno(code)}). ${REASON_ADVICE[reason]}`.trim());
}

/** The kernel's rule (dev_valid_name), checked here so a bad name gets a clear message instead of EINVAL. */
function checkInterfaceName(name: string): void {
  if (name.length === 0 || name.length >= IFNAMSIZ || name === '.' || name === '..' || /[\s/:]/.test(name)) {
    throw new TunOpenError('failed', `"${name}" is not a valid interface name: 1 to ${IFNAMSIZ - 1} characters, no whitespace, "/" or ":".`);
  }
}

/** ioctl arguments are C integers: host byte order. */
const LITTLE_ENDIAN = endianness() === 'LE';

function ifreq(name: string | undefined, flags: number): Buffer {
  const request = Buffer.alloc(IFREQ_BYTES);
  if (name !== undefined) request.write(name, 0, IFNAMSIZ - 1, 'latin1');
  if (LITTLE_ENDIAN) request.writeUInt16LE(flags, IFNAMSIZ);
  else request.writeUInt16BE(flags, IFNAMSIZ);
  return request;
}

function ifreqName(request: Buffer): string {
  const end = request.indexOf(0);
  return request.toString('latin1', 0, end === -1 || end > IFNAMSIZ ? IFNAMSIZ : end);
}

interface OpenedFd {
  fd: number;
  name: string;
  persistent?: boolean;
}

function openAttached(requestedName: string | undefined, flags: number): OpenedFd {
  const { open, ioctlWithPointer, close } = bind();
  const fd = open('/dev/net/tun', O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw openError('open /dev/net/tun', koffi.errno(), requestedName);
  const request = ifreq(requestedName, flags);
  if (ioctlWithPointer(fd, TUNSETIFF, request) < 0) {
    const code = koffi.errno();
    close(fd);
    throw openError('TUNSETIFF', code, requestedName);
  }
  return { fd, name: ifreqName(request) };
}

/** True when the kernel accepted the virtio header size and offloads on this fd. */
function enableOffload(fd: number): boolean {
  const { ioctlWithPointer, ioctlWithValue } = bind();
  const headerSize = Buffer.alloc(4);
  if (LITTLE_ENDIAN) headerSize.writeInt32LE(VIRTIO_NET_HDR_BYTES);
  else headerSize.writeInt32BE(VIRTIO_NET_HDR_BYTES);
  return ioctlWithPointer(fd, TUNSETVNETHDRSZ, headerSize) >= 0 && ioctlWithValue(fd, TUNSETOFFLOAD, OFFLOAD_FLAGS) >= 0;
}

/** Opens and configures the device; with `offload` asked but refused, falls back to plain packets. */
export function openLinuxTun(options: TunOptions): TunDevice {
  if (!isMainThread) throw new TunOpenError('failed', 'A TUN device can only be opened on the main thread: it is polled on the main event loop.');
  if (options.name !== undefined) checkInterfaceName(options.name);
  const persist = options.persist ?? false;
  if (options.offload) {
    const opened = openAttached(options.name, IFF_TUN | IFF_NO_PI | IFF_VNET_HDR);
    if (enableOffload(opened.fd)) return new LinuxTun(withPersistence(opened, persist), true);
    // IFF_VNET_HDR cannot be cleared on an attached fd: start over without it.
    bind().close(opened.fd);
  }
  return new LinuxTun(withPersistence(openAttached(options.name, IFF_TUN | IFF_NO_PI), persist), false);
}

function withPersistence(opened: OpenedFd, persist: boolean): OpenedFd {
  if (!persist) return opened;
  if (bind().ioctlWithValue(opened.fd, TUNSETPERSIST, 1) < 0) {
    const code = koffi.errno();
    bind().close(opened.fd);
    throw openError('TUNSETPERSIST', code, opened.name);
  }
  return { ...opened, persistent: true };
}

class LinuxTun implements TunDevice {
  readonly name: string;
  readonly offload: boolean;
  private readonly fd: number;
  private readonly scratch: Buffer;
  /** The uv_poll_t, in memory we own until libuv's close callback says it is done with it. */
  private readonly pollHandle: bigint;
  private readonly onReadable: bigint;
  private readonly onHandleClosed: bigint;
  private readonly persistent: boolean;
  private onPackets: ((packets: Buffer[]) => void) | null = null;
  private onError: ((error: Error) => void) | null = null;
  private paused = false;
  private closed = false;
  private polling = false;

  constructor(opened: OpenedFd, offload: boolean) {
    const lib = bind();
    this.fd = opened.fd;
    this.name = opened.name;
    this.offload = offload;
    this.persistent = opened.persistent ?? false;
    this.scratch = Buffer.allocUnsafeSlow(MAX_IP_PACKET + (offload ? VIRTIO_NET_HDR_BYTES : 0));
    this.pollHandle = pointer(koffi.alloc('uint8_t', lib.pollHandleSize()), 'koffi.alloc');
    const status = lib.pollInit(lib.defaultLoop(), this.pollHandle, this.fd);
    if (status < 0) {
      koffi.free(this.pollHandle);
      lib.close(this.fd);
      throw new TunOpenError('failed', `Could not watch the TUN device: uv_poll_init failed (${describeUvError(status)}).`);
    }
    this.onReadable = koffi.register((_handle: unknown, status: number) => this.drain(status), lib.pollCallbackType);
    this.onHandleClosed = koffi.register(() => this.release(), lib.closeCallbackType);
  }

  start(onPackets: (packets: Buffer[]) => void, onError?: (error: Error) => void): void {
    if (this.closed) throw new Error(`TUN device ${this.name} is closed.`);
    if (this.onPackets) throw new Error(`TUN device ${this.name} is already started.`);
    this.onPackets = onPackets;
    this.onError = onError ?? null;
    this.updatePolling();
  }

  pause(): void {
    this.paused = true;
    this.updatePolling();
  }

  resume(): void {
    this.paused = false;
    this.updatePolling();
  }

  write(packet: Uint8Array): boolean {
    if (this.closed) throw new Error(`TUN device ${this.name} is closed.`);
    if (bind().write(this.fd, packet) >= 0) return true;
    const code = koffi.errno();
    if (DROPPED_WRITE_ERRNOS.has(code)) return false;
    throw new Error(`Writing to TUN device ${this.name} failed (${describeErrno(code)}).`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.polling = false;
    const lib = bind();
    // A clean close removes the interface: only a crash should leave a persistent one behind.
    if (this.persistent) lib.ioctlWithValue(this.fd, TUNSETPERSIST, 0);
    // uv_close stops the poll and drops the fd from epoll at once, so the fd can be closed right after.
    lib.closeHandle(this.pollHandle, this.onHandleClosed);
    lib.close(this.fd);
  }

  private updatePolling(): void {
    const wanted = this.onPackets !== null && !this.paused && !this.closed;
    if (wanted === this.polling) return;
    const lib = bind();
    const status = wanted ? lib.pollStart(this.pollHandle, this.onReadable) : lib.pollStop(this.pollHandle);
    if (status < 0) throw new Error(`Could not ${wanted ? 'start' : 'stop'} watching TUN device ${this.name} (${describeUvError(status)}).`);
    this.polling = wanted;
  }

  /** The poll callback: runs from libuv, so nothing may throw out of it (koffi would swallow it). */
  private drain(status: number): void {
    const onPackets = this.onPackets;
    if (!this.polling || onPackets === null) return;
    const packets: Buffer[] = [];
    let failure: string | null = status < 0 ? `polling failed (${describeUvError(status)})` : null;
    while (failure === null && packets.length < MAX_PACKETS_PER_WAKEUP) {
      const length = bind().read(this.fd, this.scratch);
      if (length > 0) {
        packets.push(Buffer.from(this.scratch.subarray(0, length)));
        continue;
      }
      const code = length < 0 ? koffi.errno() : EAGAIN;
      if (code === EINTR) continue;
      if (code !== EAGAIN) failure = `read failed (${describeErrno(code)})`;
      break;
    }
    try {
      if (packets.length > 0) onPackets(packets);
    } catch (error) {
      rethrowOutsideLibuv(error);
    }
    if (failure !== null) this.fail(failure);
  }

  /**
   * A device that cannot be read (its interface was deleted, the fd went bad) would wake the
   * level-triggered poll forever: stop reading and raise the error the way an unhandled 'error'
   * event is raised, since TunDevice has no error channel.
   */
  private fail(failure: string): void {
    this.paused = true;
    this.updatePolling();
    const error = new Error(`TUN device ${this.name} stopped reading: ${failure}.`);
    const onError = this.onError;
    if (onError === null) rethrowOutsideLibuv(error);
    else process.nextTick(() => onError(error));
  }

  private release(): void {
    koffi.free(this.pollHandle);
    koffi.unregister(this.onReadable);
    koffi.unregister(this.onHandleClosed);
  }
}

/** Throws on a fresh stack, where Node's uncaught-exception handling sees it. */
function rethrowOutsideLibuv(error: unknown): void {
  process.nextTick(() => {
    throw error;
  });
}
