import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ManagedConfig, allowsSignOut, parseManagedConfig } from '../../../protocol/managed-config.js';

const FULL = {
  portalUrl: 'https://portal.example.com',
  enrollmentToken: 'wge_abcDEF123-_',
  userEmail: 'ada@example.com',
  lockPortalUrl: true,
  allowSignOut: false,
};

describe('parseManagedConfig', () => {
  it('treats an empty object (an unmanaged browser) and no value as not managed', () => {
    expect(parseManagedConfig({})).toEqual({ config: null, problems: [] });
    expect(parseManagedConfig(undefined)).toEqual({ config: null, problems: [] });
  });

  it('accepts a full config and a portal address alone', () => {
    expect(parseManagedConfig(FULL)).toEqual({ config: FULL, problems: [] });
    expect(parseManagedConfig({ portalUrl: 'http://portal.lan:8080/' })).toEqual({
      config: { portalUrl: 'http://portal.lan:8080/' },
      problems: [],
    });
  });

  it('accepts a portal at an intranet name or an address, not only a dotted domain', () => {
    for (const portalUrl of ['https://portal', 'http://10.0.0.5:8080', 'http://[fd00::1]:8080/']) {
      expect(parseManagedConfig({ portalUrl }).config).toEqual({ portalUrl });
    }
  });

  it('reports a misspelt key by name and uses none of the config', () => {
    const { config, problems } = parseManagedConfig({ portalUrl: 'https://portal.example.com', lockPortalURL: true });
    expect(config).toBeNull();
    expect(problems).toEqual([expect.stringContaining('lockPortalURL')]);
  });

  it.each([
    [{ lockPortalUrl: true }, 'portalUrl'],
    [{ portalUrl: 'ftp://portal.example.com' }, 'portalUrl'],
    [{ portalUrl: 'portal.example.com' }, 'portalUrl'],
    [{ portalUrl: 'https://p.example.com', userEmail: 'not-an-email' }, 'userEmail'],
    [{ portalUrl: 'https://p.example.com', enrollmentToken: 'wge_x' }, 'userEmail'],
    [{ portalUrl: 'https://p.example.com', enrollmentToken: 'has space', userEmail: 'a@b.example' }, 'enrollmentToken'],
    [{ portalUrl: 'https://p.example.com', lockPortalUrl: 'yes' }, 'lockPortalUrl'],
  ])('reports %j as a problem with %s', (raw, key) => {
    const { config, problems } = parseManagedConfig(raw);
    expect(config).toBeNull();
    expect(problems.join('\n')).toContain(key);
  });

  it('reports a value that is not an object', () => {
    expect(parseManagedConfig('https://portal.example.com').problems).toHaveLength(1);
    expect(parseManagedConfig([]).problems.length).toBeGreaterThan(0);
  });
});

describe('allowsSignOut', () => {
  it('allows sign-out unless an admin set allowSignOut: false', () => {
    expect(allowsSignOut(null)).toBe(true);
    expect(allowsSignOut({ portalUrl: 'https://p.example.com' })).toBe(true);
    expect(allowsSignOut({ portalUrl: 'https://p.example.com', allowSignOut: true })).toBe(true);
    expect(allowsSignOut({ portalUrl: 'https://p.example.com', allowSignOut: false })).toBe(false);
  });
});

describe('extension/public/managed_schema.json', () => {
  const schemaPath = join(import.meta.dirname, '../../../extension/public/managed_schema.json');
  const declared = z
    .object({
      type: z.literal('object'),
      properties: z.record(z.string(), z.object({ type: z.string(), description: z.string().min(1) })),
    })
    .parse(JSON.parse(readFileSync(schemaPath, 'utf8')));
  const derived = z
    .object({ properties: z.record(z.string(), z.object({ type: z.string() })) })
    .parse(z.toJSONSchema(ManagedConfig));

  it('declares exactly the keys of ManagedConfig, with the same types and a description each', () => {
    const types = (properties: Record<string, { type: string }>) =>
      Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, value.type]));
    expect(types(declared.properties)).toEqual(types(derived.properties));
  });

  it('uses only what Chromium accepts at the top level (no additionalProperties, no $ref)', () => {
    const raw = readFileSync(schemaPath, 'utf8');
    expect(JSON.parse(raw)).not.toHaveProperty('additionalProperties');
    expect(JSON.parse(raw)).not.toHaveProperty('patternProperties');
    expect(raw).not.toContain('$ref');
  });
});
