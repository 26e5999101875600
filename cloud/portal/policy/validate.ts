/**
 * The portal's gate for policy documents (save, simulate a draft): every problem at once, each with
 * the path the admin UI shows next to the field, `forwardingProfiles[0].trustedNetwork.dnsServers[2]`.
 *
 * Field problems are all reported together; cross-reference problems (duplicate ids, references to
 * ids that do not exist) appear once the document's shape is right, because checking references
 * of a document that does not parse would only report noise.
 */
import type { z } from 'zod';
import { PolicyDocument } from '../../../protocol/policy.js';

export interface PolicyError {
  path: string;
  message: string;
}

export type PolicyValidation = { ok: true; policy: PolicyDocument } | { ok: false; errors: PolicyError[] };

export function validatePolicy(input: unknown): PolicyValidation {
  const result = PolicyDocument.safeParse(input, { error: plainerMessage });
  if (result.success) return { ok: true, policy: result.data };
  return { ok: false, errors: result.error.issues.flatMap(toErrors) };
}

/** zod says "expected string, received undefined" for a missing field; an admin reads "Required." */
function plainerMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'Required.';
  return undefined;
}

/** One error per unknown field, at the field itself, so the editor can point at its line. */
function toErrors(issue: z.core.$ZodIssue): PolicyError[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: `Unknown field "${key}".` }));
  }
  return [{ path: formatPath(issue.path), message: issue.message }];
}

/** `a.b[0].c`, as JavaScript would write the access; the document itself is the empty path. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, segment) => {
    if (typeof segment === 'number') return `${text}[${segment}]`;
    const name = String(segment);
    return text === '' ? name : `${text}.${name}`;
  }, '');
}
