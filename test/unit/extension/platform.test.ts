import { describe, expect, it } from 'vitest';
import { deviceOsOf, devicePlatform } from '../../../extension/background/platform.js';

describe('browser platform', () => {
  it('maps Chromium platform names to the portal OS names', () => {
    expect(deviceOsOf('cros')).toBe('chromeos');
    expect(deviceOsOf('mac')).toBe('macos');
    expect(deviceOsOf('win')).toBe('windows');
    expect(deviceOsOf('linux')).toBe('linux');
    expect(deviceOsOf('openbsd')).toBe('linux');
  });

  it('names the device after its OS and architecture', () => {
    expect(devicePlatform({ os: 'cros', arch: 'arm' }, '156.0.1.2')).toEqual({ os: 'chromeos', osVersion: '156.0.1.2', deviceName: 'Browser on ChromeOS (arm)' });
  });
});
