import { describe, expect, it } from 'vitest';
import { MAX_CONTROL_BYTES, readDeviceControl } from '../../../../../cloud/edge/tunnel/control.js';
import { TUNNEL_CLOSE } from '../../../../../protocol/tunnel.js';

const text = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe('reading device control frames', () => {
  it('reads a ping', () => {
    expect(readDeviceControl(text({ v: 1, type: 'ping', nonce: 'n1' }))).toEqual({ ok: true, message: { v: 1, type: 'ping', nonce: 'n1' } });
  });

  it('closes UNSUPPORTED_VERSION for another protocol version', () => {
    const read = readDeviceControl(text({ v: 2, type: 'hello' }));
    expect(read).toMatchObject({ ok: false, closeCode: TUNNEL_CLOSE.UNSUPPORTED_VERSION });
  });

  it.each([
    ['not JSON', '{'],
    ['an unknown type', { v: 1, type: 'assign' }],
    ['no version', { type: 'ping', nonce: 'n1' }],
    ['a JSON array', '[]'],
    ['an oversized frame', JSON.stringify({ v: 1, type: 'token', token: 'x'.repeat(MAX_CONTROL_BYTES) })],
  ])('closes PROTOCOL_ERROR for %s', (_name, value) => {
    expect(readDeviceControl(text(value))).toMatchObject({ ok: false, closeCode: TUNNEL_CLOSE.PROTOCOL_ERROR });
  });

  it('never repeats a token in its problem text', () => {
    const read = readDeviceControl(text({ v: 1, type: 'token', token: 'secret-token', extra: 1 }));
    expect(read.ok).toBe(false);
    expect(JSON.stringify(read)).not.toContain('secret-token');
  });
});
