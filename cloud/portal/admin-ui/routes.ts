/**
 * The console's pages and their URLs under /admin. Pure: parsing a path and writing one back are
 * inverse, so deep links and reloads land on the page they name.
 */

export const BASE = '/admin';

export type Route =
  | { page: 'dashboard' }
  | { page: 'devices' }
  | { page: 'device'; id: string }
  | { page: 'policy' }
  | { page: 'simulator' }
  | { page: 'users' }
  | { page: 'enrollment' }
  | { page: 'tickets' }
  | { page: 'ticket'; id: string }
  | { page: 'audit' }
  | { page: 'not-found'; path: string };

export type Page = Route['page'];

export function parseRoute(pathname: string): Route {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : null;
  if (rest === null) return { page: 'not-found', path: pathname };
  const parts = rest.split('/').filter((p) => p !== '').map(safeDecode);
  const [first, second, ...more] = parts;
  if (more.length > 0) return { page: 'not-found', path: pathname };
  if (first === undefined) return { page: 'dashboard' };
  if (second === undefined) {
    switch (first) {
      case 'devices':
      case 'policy':
      case 'users':
      case 'enrollment':
      case 'tickets':
      case 'audit':
        return { page: first };
      default:
        return { page: 'not-found', path: pathname };
    }
  }
  if (first === 'devices') return { page: 'device', id: second };
  if (first === 'tickets') return { page: 'ticket', id: second };
  if (first === 'policy' && second === 'simulator') return { page: 'simulator' };
  return { page: 'not-found', path: pathname };
}

export function href(route: Route): string {
  switch (route.page) {
    case 'dashboard':
      return BASE;
    case 'device':
      return `${BASE}/devices/${encodeURIComponent(route.id)}`;
    case 'ticket':
      return `${BASE}/tickets/${encodeURIComponent(route.id)}`;
    case 'simulator':
      return `${BASE}/policy/simulator`;
    case 'not-found':
      return route.path;
    default:
      return `${BASE}/${route.page}`;
  }
}

/** The sidebar entry a page belongs to (a device's detail lights up "Devices"). */
export function section(route: Route): Page {
  switch (route.page) {
    case 'device':
      return 'devices';
    case 'ticket':
      return 'tickets';
    default:
      return route.page;
  }
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
