/**
 * Changing one user: name, role, local groups, and disabling or enabling the account. An admin
 * cannot demote or disable themselves here — the console would lock them out mid-change.
 */
import { useState } from 'preact/hooks';
import type { AdminGroup, AdminUser, UserRole } from '../../../../protocol/portal-admin.js';
import { ConfirmButton } from '../components/ConfirmButton.js';
import { Icon } from '../components/Icon.js';
import { useApi, useConsole } from '../console-context.js';
import { dateOnly } from '../format.js';
import { useAction } from '../use-action.js';

export function UserEditor({ user, groups, onChanged, onClose }: { user: AdminUser; groups: AdminGroup[]; onChanged: () => void; onClose: () => void }) {
  const api = useApi();
  const act = useAction();
  const self = useConsole().session.user.id === user.id;
  const [name, setName] = useState(user.name);
  const [role, setRole] = useState<UserRole>(user.role);
  const localGroups = groups.filter((g) => g.source === 'local');
  const [memberOf, setMemberOf] = useState<ReadonlySet<string>>(new Set(user.groups.filter((g) => g.source === 'local').map((g) => g.id)));
  const [busy, setBusy] = useState(false);
  const ssoGroups = user.groups.filter((g) => g.source === 'oidc');

  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    const profileChanged = name.trim() !== user.name || role !== user.role;
    const before = new Set(user.groups.filter((g) => g.source === 'local').map((g) => g.id));
    const groupsChanged = before.size !== memberOf.size || [...memberOf].some((id) => !before.has(id));
    await act(async () => {
      if (profileChanged) await api.updateUser(user.id, { name: name.trim(), role });
      if (groupsChanged) await api.setUserGroups(user.id, [...memberOf]);
    }, profileChanged || groupsChanged ? `Saved ${name.trim()}.` : 'Nothing changed.');
    setBusy(false);
    onChanged();
  };

  const toggle = (id: string, on: boolean) => {
    const next = new Set(memberOf);
    if (on) next.add(id);
    else next.delete(id);
    setMemberOf(next);
  };

  return (
    <section class="card" aria-labelledby="edit-user-title" data-testid="user-editor">
      <div class="card-head">
        <div>
          <h2 class="card-title" id="edit-user-title">
            {user.name}
          </h2>
          <p class="card-subtitle">
            {user.email} · added {dateOnly(user.createdAt)}
          </p>
        </div>
        <button type="button" class="icon-button" aria-label="Close editor" onClick={onClose}>
          <Icon name="close" size={18} />
        </button>
      </div>
      <form class="action-list" onSubmit={(e) => void save(e)}>
        <label class="field">
          <span class="field-label">Name</span>
          <input class="input" required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span class="field-label">Role</span>
          <select class="select" value={role} disabled={self} onChange={(e) => setRole(e.currentTarget.value === 'admin' ? 'admin' : 'user')}>
            <option value="user">User — enrolls their own devices</option>
            <option value="admin">Admin — uses this console</option>
          </select>
          {self && <span class="field-hint">You cannot change your own role.</span>}
        </label>
        <fieldset class="field fieldset">
          <legend class="field-label">Groups</legend>
          {localGroups.length === 0 && <span class="field-hint">No local groups yet: create one below the user list.</span>}
          {localGroups.map((g) => (
            <label key={g.id} class="checkbox">
              <input type="checkbox" checked={memberOf.has(g.id)} onChange={(e) => toggle(g.id, e.currentTarget.checked)} />
              {g.name}
            </label>
          ))}
          {ssoGroups.length > 0 && <span class="field-hint">From single sign-on: {ssoGroups.map((g) => g.name).join(', ')}</span>}
        </fieldset>
        <div class="form-actions">
          <button type="submit" class="button primary" disabled={busy}>
            Save changes
          </button>
          {user.disabled ? (
            <button type="button" class="button" onClick={() => void act(() => api.updateUser(user.id, { disabled: false }), `${user.name} can sign in again.`).then(onChanged)}>
              Enable account
            </button>
          ) : (
            <ConfirmButton
              label="Disable account"
              danger
              disabled={self}
              title={`Disable ${user.name}?`}
              confirmLabel="Disable"
              onConfirm={async () => {
                await act(() => api.updateUser(user.id, { disabled: true }), `${user.name} is disabled.`);
                onChanged();
              }}
            >
              They are signed out everywhere and cannot sign in or enroll devices until enabled again. Their devices stay enrolled: revoke them on
              the Devices page if they should lose access too.
            </ConfirmButton>
          )}
        </div>
      </form>
    </section>
  );
}
