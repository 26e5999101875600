/** Validating a JSON body against its protocol schema at the boundary, as a 400 that names each problem. */
import type { z } from 'zod';
import { WaygateError } from '../../../protocol/errors.js';

export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || 'body'}: ${i.message}`).join('; ');
  throw new WaygateError('BAD_REQUEST', `The request body does not match the API (${problems}).`, {
    errors: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
  });
}
