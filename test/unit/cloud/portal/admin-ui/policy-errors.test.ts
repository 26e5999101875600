import { describe, expect, it } from 'vitest';
import { lineAndColumn, locateIssues, parseJson, pathLabel, pathSegments, valueLines } from '../../../../../cloud/portal/admin-ui/policy-errors.js';

const DOC = `{
  "version": 1,
  "forwardingProfiles": [
    {
      "name": "default",
      "actions": {
        "trusted": "none",
        "off-trusted": "tunnel"
      }
    },
    {
      "name": "a.b \\"quoted\\"",
      "actions": {}
    }
  ],
  "edges": []
}
`;

describe('paths', () => {
  it('reads every way validators write a path', () => {
    expect(pathSegments('forwardingProfiles.0.actions.trusted')).toEqual(['forwardingProfiles', '0', 'actions', 'trusted']);
    expect(pathSegments('forwardingProfiles[0].actions')).toEqual(['forwardingProfiles', '0', 'actions']);
    expect(pathSegments('/forwardingProfiles/1/name')).toEqual(['forwardingProfiles', '1', 'name']);
    expect(pathSegments(['edges', 2])).toEqual(['edges', '2']);
    expect(pathSegments('')).toEqual([]);
  });

  it('labels paths the way JavaScript writes them', () => {
    expect(pathLabel(['forwardingProfiles', '0', 'actions', 'off-trusted'])).toBe('forwardingProfiles[0].actions.off-trusted');
    expect(pathLabel([])).toBe('(document)');
  });
});

describe('valueLines', () => {
  it('finds the line of every member and array element', () => {
    const lines = valueLines(DOC);
    expect(lines.get('')).toBe(1);
    expect(lines.get('version')).toBe(2);
    expect(lines.get(['forwardingProfiles', '0'].join('\u0000'))).toBe(4);
    expect(lines.get(['forwardingProfiles', '0', 'actions', 'off-trusted'].join('\u0000'))).toBe(8);
    expect(lines.get(['forwardingProfiles', '1', 'name'].join('\u0000'))).toBe(12);
    expect(lines.get(['forwardingProfiles', '1', 'actions'].join('\u0000'))).toBe(13);
    expect(lines.get('edges')).toBe(16);
  });

  it('keeps what it read before broken JSON', () => {
    const lines = valueLines('{\n  "a": 1,\n  "b": [tru\n');
    expect(lines.get('a')).toBe(2);
    expect(lines.get('b')).toBe(3);
  });
});

describe('locateIssues', () => {
  it('puts each error on the line of its path', () => {
    expect(
      locateIssues(DOC, [
        { path: 'forwardingProfiles.0.actions.trusted', message: 'Invalid option' },
        { path: 'forwardingProfiles[1].name', message: 'Too long' },
      ]),
    ).toEqual([
      { label: 'forwardingProfiles[0].actions.trusted', message: 'Invalid option', line: 7 },
      { label: 'forwardingProfiles[1].name', message: 'Too long', line: 12 },
    ]);
  });

  it('points a missing member at its nearest ancestor, and the document at line 1', () => {
    expect(locateIssues(DOC, [{ path: 'forwardingProfiles.1.actions.trusted', message: 'Required' }])[0]?.line).toBe(13);
    expect(locateIssues(DOC, [{ path: 'appProfiles', message: 'Required' }])[0]?.line).toBe(1);
    expect(locateIssues(DOC, [{ path: '', message: 'Bad' }])[0]).toEqual({ label: '(document)', message: 'Bad', line: 1 });
  });
});

describe('parseJson', () => {
  it('returns the value of valid JSON', () => {
    expect(parseJson('{"a": [1]}')).toEqual({ ok: true, value: { a: [1] } });
  });

  it('says where a syntax error is', () => {
    const result = parseJson('{\n  "a": 1,\n  "b": 2,\n}\n');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.line).toBe(4);
    expect(result.message).not.toMatch(/position \d+/);
  });

  it('places an unexpected end at the end of the text', () => {
    const result = parseJson('{\n  "a": [1, 2');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.line).toBe(2);
  });

  it('computes line and column of an offset', () => {
    expect(lineAndColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
    expect(lineAndColumn('', 0)).toEqual({ line: 1, column: 1 });
  });
});
