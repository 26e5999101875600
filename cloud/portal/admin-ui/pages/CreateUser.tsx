/** Adding a user: the portal makes a first password, shown here once for the admin to hand over. */
import { useState } from 'preact/hooks';
import type { UserRole } from '../../../../protocol/portal-admin.js';
import { Card } from '../components/Card.js';
import { OneTimeSecret } from '../components/OneTimeSecret.js';
import { useApi } from '../console-context.js';
import { useAction } from '../use-action.js';

export function CreateUser({ onCreated }: { onCreated: () => void }) {
  const api = useApi();
  const act = useAction();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<UserRole>('user');
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<{ email: string; password: string } | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    const result = await act(() => api.createUser({ email: email.trim(), name: name.trim(), role }), (r) => `Added ${r.user.email}.`);
    setBusy(false);
    if (!result) return;
    setCreated({ email: result.user.email, password: result.password });
    setEmail('');
    setName('');
    setRole('user');
    onCreated();
  };

  return (
    <Card titleId="new-user-title" title="Add a user">
      <form class="action-list" onSubmit={(e) => void submit(e)}>
        <label class="field">
          <span class="field-label">Email</span>
          <input class="input" type="email" required autocomplete="off" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span class="field-label">Name</span>
          <input class="input" required maxLength={200} autocomplete="off" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span class="field-label">Role</span>
          <select class="select" value={role} onChange={(e) => setRole(e.currentTarget.value === 'admin' ? 'admin' : 'user')}>
            <option value="user">User</option>
            <option value="admin">Admin</option>
          </select>
        </label>
        <div class="form-actions">
          <button type="submit" class="button primary" disabled={busy}>
            Add user
          </button>
        </div>
      </form>
      {created && (
        <OneTimeSecret
          label={`First password for ${created.email}`}
          value={created.password}
          testId="new-user-password"
          hint="Hand it over securely; they choose their own after signing in. It is shown only once."
          onDone={() => setCreated(null)}
        />
      )}
    </Card>
  );
}
