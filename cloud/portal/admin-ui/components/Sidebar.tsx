/**
 * The console's navigation: every page one Tab away, the current one marked (aria-current), and
 * the signed-in admin with a sign-out button at the foot.
 */
import type { SessionUser } from '../../../../protocol/portal-admin.js';
import type { Page, Route } from '../routes.js';
import { Icon, type IconName } from './Icon.js';
import { Link } from './Link.js';

interface Item {
  page: Page;
  to: Route;
  label: string;
  icon: IconName;
}

const GROUPS: { label: string; items: Item[] }[] = [
  {
    label: 'Overview',
    items: [
      { page: 'dashboard', to: { page: 'dashboard' }, label: 'Dashboard', icon: 'dashboard' },
      { page: 'devices', to: { page: 'devices' }, label: 'Devices', icon: 'devices' },
    ],
  },
  {
    label: 'Configuration',
    items: [
      { page: 'policy', to: { page: 'policy' }, label: 'Policy', icon: 'policy' },
      { page: 'simulator', to: { page: 'simulator' }, label: 'Simulator', icon: 'simulator' },
      { page: 'users', to: { page: 'users' }, label: 'Users & groups', icon: 'users' },
      { page: 'enrollment', to: { page: 'enrollment' }, label: 'Enrollment tokens', icon: 'key' },
    ],
  },
  {
    label: 'Operations',
    items: [
      { page: 'tickets', to: { page: 'tickets' }, label: 'Support tickets', icon: 'ticket' },
      { page: 'audit', to: { page: 'audit' }, label: 'Audit log', icon: 'audit' },
    ],
  },
];

export function Sidebar({ current, user, onSignOut }: { current: Page; user: SessionUser; onSignOut: () => void }) {
  return (
    <aside class="sidebar">
      <div class="brand">
        <span class="brand-mark" aria-hidden="true">
          <Icon name="policy" size={18} />
        </span>
        <div>
          <div class="brand-name">Waygate</div>
          <div class="brand-org">Admin console</div>
        </div>
      </div>
      <nav class="nav" aria-label="Console">
        {GROUPS.map((group) => (
          <div key={group.label} role="group" aria-labelledby={`nav-${group.label}`}>
            <div class="nav-group-label" id={`nav-${group.label}`}>
              {group.label}
            </div>
            {group.items.map((item) => (
              <Link key={item.page} to={item.to} current={item.page === current}>
                <Icon name={item.icon} size={18} />
                {item.label}
              </Link>
            ))}
          </div>
        ))}
      </nav>
      <div class="sidebar-foot">
        <span class="avatar" aria-hidden="true">
          {initials(user.name || user.email)}
        </span>
        <div class="who">
          <div class="who-name">{user.name}</div>
          <div class="who-email">{user.email}</div>
        </div>
        <button type="button" class="icon-button" aria-label="Sign out" title="Sign out" onClick={onSignOut}>
          <Icon name="signOut" size={18} />
        </button>
      </div>
    </aside>
  );
}

function initials(name: string): string {
  const parts = name.split(/[\s@.]+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '') + (parts[1]?.[0] ?? '')).toUpperCase() || '?';
}
