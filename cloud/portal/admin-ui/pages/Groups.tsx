/** The org's groups: local ones are created and deleted here; single-sign-on ones come from the IdP. */
import { useState } from 'preact/hooks';
import type { AdminGroup } from '../../../../protocol/portal-admin.js';
import { Badge } from '../components/Badge.js';
import { ConfirmButton } from '../components/ConfirmButton.js';
import { Empty } from '../components/States.js';
import { useApi } from '../console-context.js';
import { count } from '../format.js';
import { useAction } from '../use-action.js';

export function Groups({ groups, onChanged }: { groups: AdminGroup[]; onChanged: () => void }) {
  const api = useApi();
  const act = useAction();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    const created = await act(() => api.createGroup(name.trim()), (g) => `Created group “${g.name}”.`);
    setBusy(false);
    if (!created) return;
    setName('');
    onChanged();
  };

  return (
    <section class="card flush section-gap" aria-labelledby="groups-title">
      <div class="card-head">
        <h2 class="card-title" id="groups-title">
          Groups
        </h2>
        <span class="card-subtitle">Policy rules can match a user's groups.</span>
      </div>
      <form class="toolbar" onSubmit={(e) => void submit(e)}>
        <label class="field grow">
          <span class="sr-only">New group name</span>
          <input class="input" required maxLength={200} placeholder="New group name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <button type="submit" class="button" disabled={busy || name.trim() === ''}>
          Create group
        </button>
      </form>
      {groups.length === 0 ? (
        <Empty title="No groups yet" />
      ) : (
        <div class="table-wrap">
          <table class="data-table" data-testid="group-table">
            <thead>
              <tr>
                <th scope="col">Group</th>
                <th scope="col">Source</th>
                <th scope="col" class="num">
                  Members
                </th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {groups.map((g) => (
                <tr key={g.id}>
                  <th scope="row">{g.name}</th>
                  <td>{g.source === 'local' ? <span class="muted">Local</span> : <Badge tone="neutral">Single sign-on</Badge>}</td>
                  <td class="num">{g.members}</td>
                  <td class="num">
                    {g.source === 'local' && (
                      <ConfirmButton
                        label="Delete"
                        danger
                        title={`Delete group “${g.name}”?`}
                        confirmLabel="Delete group"
                        onConfirm={async () => {
                          await act(() => api.deleteGroup(g.id), `Deleted group “${g.name}”.`);
                          onChanged();
                        }}
                      >
                        Its {count(g.members, 'member')} stay users of the organisation; policy rules that name this group stop matching them.
                      </ConfirmButton>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
