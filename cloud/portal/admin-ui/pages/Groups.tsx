/** The org's groups: local ones are created and deleted here; single-sign-on ones come from the IdP. */
import { useState } from 'preact/hooks';
import type { AdminGroup } from '../../../../protocol/portal-admin.js';
import { Badge } from '../components/Badge.js';
import { Card } from '../components/Card.js';
import { ConfirmButton } from '../components/ConfirmButton.js';
import { ACTIONS_COLUMN, DataTable } from '../components/DataTable.js';
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
    <Card titleId="groups-title" title="Groups" class="flush section-gap" aside={<span class="card-subtitle">Policy rules can match a user's groups.</span>}>
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
        <DataTable testId="group-table" columns={['Group', 'Source', { label: 'Members', num: true }, ACTIONS_COLUMN]}>
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
        </DataTable>
      )}
    </Card>
  );
}
