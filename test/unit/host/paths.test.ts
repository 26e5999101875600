import { describe, expect, it } from 'vitest';
import { defaultSocketPath } from '../../../host/paths.js';

describe('default LocalAPI socket path', () => {
  it('is the system path for root', () => {
    expect(defaultSocketPath({ platform: 'linux', uid: 0, env: {} })).toBe('/run/waygate/waygate.sock');
    expect(defaultSocketPath({ platform: 'darwin', uid: 0, env: {} })).toBe('/var/run/waygate/waygate.sock');
  });

  it("is in the user's runtime dir otherwise, or a per-user temp dir without one", () => {
    expect(defaultSocketPath({ platform: 'linux', uid: 1000, env: { XDG_RUNTIME_DIR: '/run/user/1000' } })).toBe('/run/user/1000/waygate.sock');
    expect(defaultSocketPath({ platform: 'linux', uid: 1000, env: { TMPDIR: '/tmp' } })).toBe('/tmp/waygate-1000/waygate.sock');
  });

  it('is a named pipe on Windows', () => {
    expect(defaultSocketPath({ platform: 'win32', uid: null, env: { USERNAME: 'ada' } })).toBe('\\\\.\\pipe\\waygate-ada');
  });
});
