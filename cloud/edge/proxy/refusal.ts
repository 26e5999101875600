/**
 * The proxy's own answers (407, 400, 403, 502): a JSON body `{code, message}` that says what
 * happened and what to do, on an ordinary response or written raw on a CONNECT socket. Every refusal
 * closes the connection: a client that was refused starts again on a fresh one.
 */
import type { ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

export interface Refusal {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  /** Machine-readable specifics, such as the `ruleId` that blocked a request. */
  readonly details?: Readonly<Record<string, unknown>>;
  /** Extra response headers, such as `Proxy-Authenticate` (one line per value). */
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
}

function body(refusal: Refusal): string {
  return `${JSON.stringify({ code: refusal.code, message: refusal.message, ...(refusal.details === undefined ? {} : { details: refusal.details }) })}\n`;
}

export function tooManyConnections(limit: number): Refusal {
  return {
    status: 429,
    code: 'TOO_MANY_CONNECTIONS',
    message: `This device already has ${limit} connections open at this edge, the most it may. Close some, or retry when they finish.`,
  };
}

export function sendRefusal(res: ServerResponse, refusal: Refusal): void {
  const text = body(refusal);
  res.shouldKeepAlive = false;
  res.writeHead(refusal.status, {
    ...refusal.headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    connection: 'close',
  });
  res.end(text);
}

/** The same answer on a CONNECT socket, where no ServerResponse exists. */
export function writeRawRefusal(socket: Duplex, refusal: Refusal): void {
  const text = body(refusal);
  const lines = [`HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? ''}`];
  for (const [name, value] of Object.entries(refusal.headers ?? {})) {
    for (const one of typeof value === 'string' ? [value] : value) lines.push(`${name}: ${one}`);
  }
  lines.push('Content-Type: application/json; charset=utf-8', `Content-Length: ${Buffer.byteLength(text)}`, 'Connection: close');
  socket.end(`${lines.join('\r\n')}\r\n\r\n${text}`);
}
