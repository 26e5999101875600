import { describe, expect, it } from 'vitest';
import { clockTime } from '../../../extension/lib/clock-time.js';
import { webUrl } from '../../../extension/lib/web-url.js';

describe('web addresses a tab may open', () => {
  it('keeps http and https addresses', () => {
    expect(webUrl('http://hotel.example/login?room=12')).toBe('http://hotel.example/login?room=12');
    expect(webUrl('https://cafe.example')).toBe('https://cafe.example/');
  });

  it('refuses everything else', () => {
    for (const raw of [null, '', 'javascript:alert(1)', 'data:text/html,x', 'file:///etc/passwd', 'chrome-extension://abc/popup.html', 'hotel.example/login']) {
      expect(webUrl(raw), String(raw)).toBeNull();
    }
  });
});

describe('clock time', () => {
  it('writes hours and minutes the way the language does, in the given zone', () => {
    const at = Date.parse('2030-01-01T14:05:00.000Z');
    expect(clockTime(at, 'de', 'UTC')).toBe('14:05');
    expect(clockTime(at, 'en-GB', 'Europe/Berlin')).toBe('15:05');
    expect(clockTime(at, 'en-US', 'UTC')).toMatch(/^02:05\sPM$/);
  });

  it('gives nothing for a time it cannot read', () => {
    expect(clockTime(NaN, 'de')).toBeNull();
  });
});
