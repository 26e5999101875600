/**
 * What the policy editor says about its text, before and after the portal sees it: a JSON syntax
 * error with its line, the portal's validation errors (INVALID_POLICY) placed on their lines, or
 * the failure message. Pure; the Policy page renders the outcome.
 */
import { WaygateError } from '../../../protocol/errors.js';
import { PolicyErrors } from '../../../protocol/portal-admin.js';
import { validatePolicy } from '../policy/validate.js';
import { locateIssues, parseJson, type LocatedIssue } from './policy-errors.js';

export type DraftCheck = { ok: true; document: unknown } | { ok: false; outcome: Outcome };

export type Outcome =
  | { kind: 'syntax'; message: string; line: number | null; column: number | null }
  | { kind: 'invalid'; issues: LocatedIssue[] }
  | { kind: 'conflict'; message: string }
  | { kind: 'failed'; message: string }
  | { kind: 'valid' }
  | { kind: 'saved'; version: number }
  | { kind: 'loaded'; version: number };

/** The editor's text as a document, or where its JSON is broken. */
export function checkSyntax(text: string): DraftCheck {
  const parsed = parseJson(text);
  if (parsed.ok) return { ok: true, document: parsed.value };
  return { ok: false, outcome: { kind: 'syntax', message: parsed.message, line: parsed.line, column: parsed.column } };
}

/**
 * Checks a parsed draft with the portal's own validator (pure, so it runs here too): problems show
 * as the admin types, before anything is sent, worded and placed exactly as a save would report them.
 */
export function validateDraft(text: string, document: unknown): Outcome {
  const result = validatePolicy(document);
  return result.ok ? { kind: 'valid' } : { kind: 'invalid', issues: locateIssues(text, result.errors) };
}

/** A failed save or validation, as the editor shows it. */
export function outcomeOfError(text: string, err: unknown): Outcome {
  if (err instanceof WaygateError && err.code === 'INVALID_POLICY') {
    const details = PolicyErrors.safeParse(err.details);
    if (details.success) return { kind: 'invalid', issues: locateIssues(text, details.data.errors) };
  }
  if (err instanceof WaygateError && err.code === 'CONFLICT') return { kind: 'conflict', message: err.message };
  return { kind: 'failed', message: err instanceof Error ? err.message : String(err) };
}

/** The lines to mark in the editor's gutter. */
export function errorLines(outcome: Outcome | null): Set<number> {
  if (!outcome) return new Set();
  if (outcome.kind === 'syntax') return new Set(outcome.line === null ? [] : [outcome.line]);
  if (outcome.kind === 'invalid') return new Set(outcome.issues.flatMap((i) => (i.line === null ? [] : [i.line])));
  return new Set();
}

/** The document as the editor shows it: two-space JSON with a final newline. */
export function formatDocument(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
