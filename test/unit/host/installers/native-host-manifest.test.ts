import { describe, expect, it } from 'vitest';
import {
  ChromiumHostManifest,
  FirefoxHostManifest,
  buildManifest,
  renderManifest,
} from '../../../../host/installers/native-host-manifest.js';

const inputs = {
  hostPath: '/usr/local/lib/waygate/waygate-native',
  extensionIds: ['abcdefghijklmnopabcdefghijklmnop', 'ponmlkjihgfedcbaponmlkjihgfedcba'],
  firefoxExtensionId: 'waygate@waygate.org',
};

describe('native host manifest', () => {
  it('lists extension origins for the Chromium family', () => {
    const manifest = buildManifest('chromium', inputs);
    expect(manifest).toEqual({
      name: 'org.waygate.native',
      description: 'Waygate native messaging host',
      path: '/usr/local/lib/waygate/waygate-native',
      type: 'stdio',
      allowed_origins: [
        'chrome-extension://abcdefghijklmnopabcdefghijklmnop/',
        'chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba/',
      ],
    });
    expect(ChromiumHostManifest.safeParse(manifest).success).toBe(true);
    expect(FirefoxHostManifest.safeParse(manifest).success).toBe(false);
  });

  it('lists add-on IDs for Firefox, and no origins', () => {
    const manifest = buildManifest('firefox', inputs);
    expect(manifest).toEqual({
      name: 'org.waygate.native',
      description: 'Waygate native messaging host',
      path: '/usr/local/lib/waygate/waygate-native',
      type: 'stdio',
      allowed_extensions: ['waygate@waygate.org'],
    });
    expect(FirefoxHostManifest.safeParse(manifest).success).toBe(true);
    expect(ChromiumHostManifest.safeParse(manifest).success).toBe(false);
  });

  it('renders pretty JSON with a trailing newline that parses back', () => {
    const manifest = buildManifest('chromium', inputs);
    const text = renderManifest(manifest);
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(text)).toEqual(manifest);
  });
});
