import { describe, expect, it } from 'vitest';
import { html } from '../../../../../cloud/portal/enrollment/html.js';
import { confirmPage } from '../../../../../cloud/portal/enrollment/verification-pages.js';

describe('enrollment html', () => {
  it('escapes every interpolated string', () => {
    const name = `<script>alert("x")</script>&'`;
    expect(html`<dd>${name}</dd>`.value).not.toMatch(/<script|"x"|&'/);
    expect(html`<input value="${'" onfocus="evil'}">`.value).not.toContain('" onfocus');
  });

  it('keeps fragments built by html as they are, and drops null and undefined', () => {
    const inner = html`<b>${'a<b'}</b>`;
    expect(html`<p>${inner}${null}${undefined}${[inner, inner]}</p>`.value).toBe(`<p>${inner.value.repeat(3)}</p>`);
    expect(inner.value).not.toContain('a<b');
  });

  it('renders what a device reported as text, never markup', () => {
    const page = confirmPage(
      {
        id: 'a',
        orgId: 'o',
        deviceCodeHash: 'h',
        userCode: 'BCDF-GHJK',
        deviceName: '<img src=x onerror=alert(1)>',
        os: 'linux',
        osVersion: '"><script>',
        status: 'pending',
        userId: null,
        interval: 5,
        lastPolledAt: null,
        expiresAt: 600_000,
        createdAt: 0,
      },
      'csrf"token',
      'uma@example.test',
      0,
    );
    expect(page.body.value).not.toMatch(/<img|<script|csrf"token/);
    expect(page.body.value).toContain('BCDF-GHJK');
    expect(page.body.value).toContain('Linux');
  });
});
