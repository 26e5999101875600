import { describe, expect, it } from 'vitest';
import { parseBearer, unauthorized } from '../../../../../cloud/edge/tunnel/authenticate-upgrade.js';

describe('the tunnel upgrade’s Authorization header', () => {
  it('reads a Bearer token, whatever the scheme’s case', () => {
    expect(parseBearer('Bearer a.b.c')).toEqual({ ok: true, token: 'a.b.c' });
    expect(parseBearer('bearer   a.b.c ')).toEqual({ ok: true, token: 'a.b.c' });
  });

  it.each([
    [undefined, 'TOKEN_MISSING'],
    ['', 'TOKEN_MISSING'],
    ['Basic eDp5', 'TOKEN_MALFORMED'],
    ['Bearer', 'TOKEN_MISSING'],
    ['Bearer  ', 'TOKEN_MISSING'],
    ['Bearer a b', 'TOKEN_MALFORMED'],
    ['Bearer a"b', 'TOKEN_MALFORMED'],
  ])('refuses %j with %s', (header, code) => {
    expect(parseBearer(header)).toMatchObject({ ok: false, code });
  });

  it('answers 401 with a Bearer challenge only', () => {
    const refusal = unauthorized({ ok: false, code: 'TOKEN_EXPIRED', reason: 'The edge token has expired.' });
    expect(refusal).toMatchObject({ status: 401, code: 'TOKEN_EXPIRED' });
    expect(refusal.message).toContain('expired');
    expect(refusal.headers?.['www-authenticate']).toEqual(['Bearer realm="waygate", error="invalid_token", error_description="The edge token has expired."']);
  });
});
