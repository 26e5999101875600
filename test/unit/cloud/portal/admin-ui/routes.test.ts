import { describe, expect, it } from 'vitest';
import { href, parseRoute, section, type Route } from '../../../../../cloud/portal/admin-ui/routes.js';
import { signInUrl } from '../../../../../cloud/portal/admin-ui/sign-in.js';

describe('console routes', () => {
  const routes: [string, Route][] = [
    ['/admin', { page: 'dashboard' }],
    ['/admin/devices', { page: 'devices' }],
    ['/admin/devices/d%2F1', { page: 'device', id: 'd/1' }],
    ['/admin/policy', { page: 'policy' }],
    ['/admin/policy/simulator', { page: 'simulator' }],
    ['/admin/users', { page: 'users' }],
    ['/admin/enrollment', { page: 'enrollment' }],
    ['/admin/tickets', { page: 'tickets' }],
    ['/admin/tickets/t1', { page: 'ticket', id: 't1' }],
    ['/admin/audit', { page: 'audit' }],
  ];

  it.each(routes)('%s ⇄ %j', (path, route) => {
    expect(parseRoute(path)).toEqual(route);
    expect(href(route)).toBe(path);
  });

  it('accepts a trailing slash', () => {
    expect(parseRoute('/admin/')).toEqual({ page: 'dashboard' });
    expect(parseRoute('/admin/devices/')).toEqual({ page: 'devices' });
  });

  it('names what it does not know', () => {
    expect(parseRoute('/admin/nope')).toEqual({ page: 'not-found', path: '/admin/nope' });
    expect(parseRoute('/admin/devices/a/b')).toEqual({ page: 'not-found', path: '/admin/devices/a/b' });
    expect(parseRoute('/elsewhere')).toEqual({ page: 'not-found', path: '/elsewhere' });
  });

  it('lights up the sidebar entry a detail page belongs to', () => {
    expect(section({ page: 'device', id: 'x' })).toBe('devices');
    expect(section({ page: 'ticket', id: 'x' })).toBe('tickets');
    expect(section({ page: 'simulator' })).toBe('simulator');
  });
});

describe('signInUrl', () => {
  it('returns to the console page that was asked for', () => {
    expect(signInUrl('/admin/devices', '?q=1')).toBe('/auth/sign-in?return_to=%2Fadmin%2Fdevices%3Fq%3D1');
  });

  it('never puts a path outside the console into return_to', () => {
    expect(signInUrl('//evil.example/admin')).toBe('/auth/sign-in?return_to=%2Fadmin');
  });
});
