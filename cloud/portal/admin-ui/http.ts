/**
 * The console's one way to talk to the portal: same-origin fetch with the session cookie, the CSRF
 * token on every change, and every reply parsed by its protocol schema before the UI sees it.
 * Failures become WaygateError with the portal's code and message (they are written for people),
 * or a code of our own when the portal could not be reached or answered something unexpected.
 */
import type { z } from 'zod';
import { WaygateError, WireError } from '../../../protocol/errors.js';
import { CSRF_HEADER } from '../../../protocol/portal-admin.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpOptions {
  /** The session's CSRF token; sent on everything but GET. */
  csrfToken: string | null;
  /** Called on 401 before the error is thrown: the session ended (expired, signed out elsewhere). */
  onUnauthenticated?: () => void;
  fetch?: typeof fetch;
}

export async function request<S extends z.ZodType>(options: HttpOptions, schema: S, method: Method, path: string, body?: unknown): Promise<z.output<S>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && options.csrfToken) headers[CSRF_HEADER] = options.csrfToken;
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new WaygateError('SERVICE_UNAVAILABLE', 'The portal did not answer. Check the connection and try again.');
  }
  if (response.status === 401) options.onUnauthenticated?.();
  const text = await response.text();
  let json: unknown = undefined;
  if (text !== '') {
    try {
      json = JSON.parse(text);
    } catch {
      throw unexpected(method, path, `HTTP ${response.status}, not JSON`);
    }
  }
  if (!response.ok) {
    const wire = WireError.safeParse(json);
    if (wire.success) throw WaygateError.fromWire(wire.data);
    throw unexpected(method, path, `HTTP ${response.status}`);
  }
  const parsed = schema.safeParse(text === '' ? undefined : json);
  if (!parsed.success) throw unexpected(method, path, parsed.error.issues[0]?.message ?? 'unexpected shape');
  return parsed.data;
}

function unexpected(method: string, path: string, why: string): WaygateError {
  return new WaygateError('INTERNAL', `The portal's reply to ${method} ${path} was not what this console expects (${why}). Reload the page; if it persists, the portal and its console are from different versions.`);
}
