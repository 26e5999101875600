import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const LOCALES_DIR = join(ROOT, 'extension/public/_locales');
const LOCALES = ['de', 'en', 'es', 'fr', 'ja'];

interface Entry {
  message: string;
  description?: string;
  placeholders?: Record<string, { content: string; example?: string }>;
}

function catalogue(locale: string): Record<string, Entry> {
  return JSON.parse(readFileSync(join(LOCALES_DIR, locale, 'messages.json'), 'utf8')) as Record<string, Entry>;
}

/** Everything in an entry a translation must keep: named placeholders, what they stand for, direct `$n`s. */
function placeholderShape(entry: Entry) {
  const named = [...entry.message.matchAll(/\$([A-Za-z0-9_@]+)\$/g)].map((m) => m[1]!.toLowerCase()).sort();
  const defined = Object.fromEntries(
    Object.entries(entry.placeholders ?? {}).map(([name, p]) => [name.toLowerCase(), p.content]),
  );
  const direct = [...entry.message.replace(/\$[A-Za-z0-9_@]+\$/g, '').matchAll(/\$(\d)/g)].map((m) => m[1]).sort();
  return { named, defined, direct };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return d.name === 'public' ? [] : sourceFiles(path);
    return /\.tsx?$/.test(d.name) ? [path] : [];
  });
}

const en = catalogue('en');
const sources = sourceFiles(join(ROOT, 'extension')).map((path) => ({ path, text: readFileSync(path, 'utf8') }));

describe('locales', () => {
  it('ships exactly the supported locales', () => {
    expect(readdirSync(LOCALES_DIR).sort()).toEqual(LOCALES);
  });

  it('gives translators a description of every English message', () => {
    const undescribed = Object.entries(en).filter(([, e]) => !e.description).map(([key]) => key);
    expect(undescribed).toEqual([]);
  });

  describe.each(LOCALES)('%s', (locale) => {
    const messages = catalogue(locale);

    it('has exactly the keys of en', () => {
      expect(Object.keys(messages).sort()).toEqual(Object.keys(en).sort());
    });

    it('has a non-empty message for every key', () => {
      const empty = Object.entries(messages).filter(([, e]) => e.message.trim() === '').map(([key]) => key);
      expect(empty).toEqual([]);
    });

    it('keeps the placeholders of en, each defined and used', () => {
      for (const [key, entry] of Object.entries(messages)) {
        const shape = placeholderShape(entry);
        expect(shape, key).toEqual(placeholderShape(en[key]!));
        expect(Object.keys(shape.defined).sort(), key).toEqual([...new Set(shape.named)].sort());
      }
    });
  });

  it('defines every key the extension passes to t()', () => {
    const missing = sources.flatMap(({ path, text }) =>
      [...text.matchAll(/\bt\(\s*['"`]([^'"`]+)['"`]/g)]
        .map((m) => m[1]!)
        .filter((key) => !(key in en))
        .map((key) => `${relative(ROOT, path)}: ${key}`),
    );
    expect(missing).toEqual([]);
  });

  it('uses every English message somewhere (extension source or the manifest)', () => {
    const haystack = sources.map((s) => s.text).join('\n') + readFileSync(join(ROOT, 'wxt.config.ts'), 'utf8');
    const unused = Object.keys(en).filter(
      (key) => !haystack.includes(`'${key}'`) && !haystack.includes(`"${key}"`) && !haystack.includes(`__MSG_${key}__`),
    );
    expect(unused).toEqual([]);
  });
});
