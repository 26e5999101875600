/**
 * The local proxy's own answers (400, 403, 404, 502): a JSON body `{code, message}` that says what
 * happened and what to do, on a normal response or written raw on a CONNECT socket. Every refusal
 * closes the connection. Never a 407: the device's credentials are the proxy's business, and a
 * browser shown a 407 would prompt the user for a password.
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Readable } from 'node:stream';
import { WireError, type ErrorCode } from '../../protocol/errors.js';

export interface Refusal {
  readonly status: number;
  readonly code: ErrorCode;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

function body(refusal: Refusal): string {
  return `${JSON.stringify({ code: refusal.code, message: refusal.message, ...(refusal.details === undefined ? {} : { details: refusal.details }) })}\n`;
}

export function sendRefusal(res: ServerResponse, refusal: Refusal): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = body(refusal);
  res.shouldKeepAlive = false;
  res.writeHead(refusal.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), connection: 'close' });
  res.end(text);
}

export function writeRawRefusal(socket: Duplex, refusal: Refusal): void {
  const text = body(refusal);
  socket.end(
    `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}

export function blocked(reason: string): Refusal {
  return { status: 403, code: 'ACCESS_BLOCKED', message: `${reason} Ask your administrator if you need this site.`, details: { reason: 'pac-fail-closed' } };
}

export function unreachable(destination: string, failures: readonly string[]): Refusal {
  const tried = failures.length === 0 ? 'no route could be tried' : failures.join('; ');
  return { status: 502, code: 'UPSTREAM_UNREACHABLE', message: `The local proxy could not forward the request for ${destination} (${tried}). Check the network connection, then try again.`, details: { tried: failures } };
}

export function notSignedIn(proxy: string): Refusal {
  return { status: 502, code: 'NOT_ENROLLED', message: `The PAC sends this request to ${proxy}, but the device has no edge token yet. Sign in (waygate login), then try again.` };
}

/** The edge refused the device's token: the client gets a 502 with the edge's reason, never the 407. */
export function tokenRefused(proxy: string, edgeCode: string | null): Refusal {
  return {
    status: 502,
    code: 'UNAUTHENTICATED',
    message: `${proxy} did not accept this device's edge token${edgeCode === null ? '' : ` (${edgeCode})`}. Waygate renews it on its own; if this persists, sign in again.`,
    ...(edgeCode === null ? {} : { details: { edgeCode } }),
  };
}

/** The first `limit` bytes of a (refusal) body, as text; the rest is drained. */
export function readSmall(stream: Readable, limit = 4096): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      if (size < limit) chunks.push(chunk.subarray(0, limit - size));
      size += chunk.length;
    });
    const done = () => resolve(Buffer.concat(chunks).toString('utf8'));
    stream.once('end', done);
    stream.once('error', done);
    stream.once('close', done);
  });
}

/** The `code` of an edge's JSON refusal body, when it is one. */
export function refusalCode(text: string): string | null {
  try {
    const parsed = WireError.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.code : null;
  } catch {
    return null;
  }
}
