/**
 * Request bodies, queries and params are parsed by their protocol schema at the route, never cast.
 * A failure is BAD_REQUEST naming each field that is wrong, so the caller can fix it.
 */
import type { z } from 'zod';
import { WaygateError } from '../../protocol/errors.js';

export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what = 'request body'): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const errors = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  const summary = errors.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  // The same `details.errors` shape as INVALID_POLICY, so clients show both alike.
  throw new WaygateError('BAD_REQUEST', `The ${what} is not valid (${summary}).`, { errors });
}
