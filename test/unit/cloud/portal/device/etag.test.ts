import { describe, expect, it } from 'vitest';
import { etagOf, ifNoneMatchHas } from '../../../../../cloud/portal/device/etag.js';

describe('config ETags', () => {
  const tag = etagOf('{"config":{}}');

  it('is a strong, quoted tag that depends only on the bytes', () => {
    expect(tag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(etagOf('{"config":{}}')).toBe(tag);
    expect(etagOf('{"config":{ }}')).not.toBe(tag);
  });

  it('matches If-None-Match by weak comparison, in lists, and *', () => {
    expect(ifNoneMatchHas(tag, tag)).toBe(true);
    expect(ifNoneMatchHas(`W/${tag}`, tag)).toBe(true);
    expect(ifNoneMatchHas(`"other", ${tag}`, tag)).toBe(true);
    expect(ifNoneMatchHas('*', tag)).toBe(true);
    expect(ifNoneMatchHas('"other"', tag)).toBe(false);
    expect(ifNoneMatchHas(undefined, tag)).toBe(false);
    expect(ifNoneMatchHas('', tag)).toBe(false);
  });
});
