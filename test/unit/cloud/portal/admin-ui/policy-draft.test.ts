import { describe, expect, it } from 'vitest';
import { WaygateError } from '../../../../../protocol/errors.js';
import { DEFAULT_POLICY } from '../../../../../protocol/policy.js';
import { checkSyntax, errorLines, formatDocument, outcomeOfError, validateDraft } from '../../../../../cloud/portal/admin-ui/policy-draft.js';

const TEXT = formatDocument({ version: 1, edges: [{ host: 'edge.example', region: 'eu' }] });

describe('policy draft checks', () => {
  it('formats documents with two spaces and a final newline', () => {
    expect(formatDocument({ a: [1] })).toBe('{\n  "a": [\n    1\n  ]\n}\n');
  });

  it('accepts JSON and reports broken JSON with its line', () => {
    expect(checkSyntax(TEXT)).toEqual({ ok: true, document: { version: 1, edges: [{ host: 'edge.example', region: 'eu' }] } });
    const broken = checkSyntax('{\n  "version": 1\n  "edges": []\n}');
    expect(broken.ok).toBe(false);
    if (!broken.ok) {
      expect(broken.outcome).toMatchObject({ kind: 'syntax', line: 3 });
      expect(errorLines(broken.outcome)).toEqual(new Set([3]));
    }
  });

  it('places INVALID_POLICY errors on their lines', () => {
    const err = new WaygateError('INVALID_POLICY', 'The policy has 2 problems', {
      errors: [
        { path: 'edges.0.region', message: 'Unknown region' },
        { path: 'appProfiles', message: 'Required' },
      ],
    });
    const outcome = outcomeOfError(TEXT, err);
    expect(outcome).toEqual({
      kind: 'invalid',
      issues: [
        { label: 'edges[0].region', message: 'Unknown region', line: 6 },
        { label: 'appProfiles', message: 'Required', line: 1 },
      ],
    });
    expect(errorLines(outcome)).toEqual(new Set([6, 1]));
  });

  it('keeps a conflict apart from other failures', () => {
    expect(outcomeOfError(TEXT, new WaygateError('CONFLICT', 'Someone saved version 4'))).toEqual({ kind: 'conflict', message: 'Someone saved version 4' });
    expect(outcomeOfError(TEXT, new WaygateError('INVALID_POLICY', 'bad', { unexpected: true }))).toEqual({ kind: 'failed', message: 'bad' });
    expect(outcomeOfError(TEXT, new Error('offline'))).toEqual({ kind: 'failed', message: 'offline' });
    expect(errorLines({ kind: 'saved', version: 2 })).toEqual(new Set());
  });
});

describe('validateDraft', () => {
  it('passes the default policy and lists each problem of a broken one on its line', () => {
    const good = formatDocument(DEFAULT_POLICY);
    expect(validateDraft(good, DEFAULT_POLICY)).toEqual({ kind: 'valid' });

    const broken = structuredClone(DEFAULT_POLICY) as unknown as { forwardingProfiles: { captivePortal: { pauseMinutes: number }; colour?: string }[] };
    const profile = broken.forwardingProfiles[0];
    if (!profile) throw new Error('the default policy has a forwarding profile');
    profile.captivePortal.pauseMinutes = 0;
    profile.colour = 'blue';
    const text = formatDocument(broken);
    const outcome = validateDraft(text, broken);
    expect(outcome.kind).toBe('invalid');
    if (outcome.kind !== 'invalid') return;
    const lines = text.split('\n');
    const byLabel = new Map(outcome.issues.map((i) => [i.label, i]));
    const pause = byLabel.get('forwardingProfiles[0].captivePortal.pauseMinutes');
    const colour = byLabel.get('forwardingProfiles[0].colour');
    expect(lines[(pause?.line ?? 0) - 1]).toContain('"pauseMinutes": 0');
    expect(lines[(colour?.line ?? 0) - 1]).toContain('"colour"');
    expect(colour?.message).toContain('Unknown field');
  });
});
