/**
 * People and groups. Users: add one (their first password is shown once), change a role, disable
 * or enable, choose their local groups. Groups: the local ones are managed here; single-sign-on
 * groups follow the identity provider and are shown for reference.
 */
import { useState } from 'preact/hooks';
import type { AdminUser } from '../../../../protocol/portal-admin.js';
import { Badge } from '../components/Badge.js';
import { ACTIONS_COLUMN, DataTable } from '../components/DataTable.js';
import { PageHeader } from '../components/PageHeader.js';
import { Empty, ErrorPanel, Loading } from '../components/States.js';
import { useApi } from '../console-context.js';
import { useResource } from '../use-resource.js';
import { CreateUser } from './CreateUser.js';
import { Groups } from './Groups.js';
import { UserEditor } from './UserEditor.js';

export function Users() {
  const api = useApi();
  const data = useResource(() => Promise.all([api.users(), api.groups()]), [api]);
  const [editing, setEditing] = useState<string | null>(null);
  const users = data.data?.[0].users ?? [];
  const groups = data.data?.[1].groups ?? [];
  const selected = users.find((u) => u.id === editing) ?? null;
  const reload = () => void data.reload();
  return (
    <>
      <PageHeader title="Users & groups" description="Who can sign in, enroll devices and administer the organisation." />
      {data.error && <ErrorPanel error={data.error} onRetry={reload} />}
      {!data.data && !data.error && <Loading what="users" />}
      {data.data && (
        <div class="two-col">
          <div>
            <section class="card flush" aria-label="Users">
              <UserTable users={users} selected={editing} onEdit={setEditing} />
            </section>
            <Groups groups={groups} onChanged={reload} />
          </div>
          <div>
            {selected && <UserEditor key={selected.id} user={selected} groups={groups} onChanged={reload} onClose={() => setEditing(null)} />}
            <CreateUser onCreated={reload} />
          </div>
        </div>
      )}
    </>
  );
}

function UserTable({ users, selected, onEdit }: { users: AdminUser[]; selected: string | null; onEdit: (id: string) => void }) {
  if (users.length === 0) return <Empty title="No users" />;
  return (
    <DataTable testId="user-table" columns={['User', 'Role', 'Groups', { label: 'Devices', num: true }, 'Status', ACTIONS_COLUMN]}>
      {users.map((u) => (
        <tr key={u.id} aria-selected={u.id === selected}>
          <th scope="row">
            <div class="cell-main">{u.name}</div>
            <div class="cell-sub">{u.email}</div>
          </th>
          <td>{u.role === 'admin' ? <Badge tone="info">Admin</Badge> : <span class="muted">User</span>}</td>
          <td>
            <div class="chips">
              {u.groups.length === 0 && <span class="muted">–</span>}
              {u.groups.map((g) => (
                <span key={g.id} class="chip" title={g.source === 'oidc' ? 'From single sign-on' : 'Local group'}>
                  {g.name}
                </span>
              ))}
            </div>
          </td>
          <td class="num">{u.devices}</td>
          <td>
            <UserStatus user={u} />
          </td>
          <td class="num">
            <button type="button" class="button small" onClick={() => onEdit(u.id)} aria-label={`Edit ${u.name}`}>
              Edit
            </button>
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

function UserStatus({ user: u }: { user: AdminUser }) {
  if (u.disabled) return <Badge tone="bad">Disabled</Badge>;
  if (u.lockedUntil !== null && u.lockedUntil > Date.now()) return <Badge tone="warn">Locked</Badge>;
  return (
    <span class="chips">
      <Badge tone="ok">Active</Badge>
      {u.totpEnabled && <Badge tone="neutral">2FA</Badge>}
      {u.oidcLinked && <Badge tone="neutral">SSO</Badge>}
    </span>
  );
}
