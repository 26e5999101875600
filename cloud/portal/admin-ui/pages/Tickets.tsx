/** Support tickets users sent from their devices, open ones first by default. */
import { useState } from 'preact/hooks';
import type { AdminTicket } from '../../../../protocol/portal-admin.js';
import { Badge } from '../components/Badge.js';
import { DataTable } from '../components/DataTable.js';
import { Link } from '../components/Link.js';
import { PageHeader } from '../components/PageHeader.js';
import { Empty, ErrorPanel, Loading } from '../components/States.js';
import { useApi } from '../console-context.js';
import { dateTime, relativeTime } from '../format.js';
import { useResource } from '../use-resource.js';

type Show = 'open' | 'closed' | 'all';

export function Tickets() {
  const api = useApi();
  const list = useResource(() => api.tickets(), [api], 30_000);
  const [show, setShow] = useState<Show>('open');
  const tickets = (list.data?.tickets ?? []).filter((t) => show === 'all' || t.status === show).sort((a, b) => b.createdAt - a.createdAt);
  const openCount = list.data?.tickets.filter((t) => t.status === 'open').length ?? 0;
  return (
    <>
      <PageHeader title="Support tickets" description="Problems users reported from the Waygate app, with the diagnostics their device attached." />
      {list.error && !list.data && <ErrorPanel error={list.error} onRetry={() => void list.reload()} />}
      {!list.data && !list.error && <Loading what="tickets" />}
      {list.data && (
        <section class="card flush" aria-label="Tickets">
          <div class="toolbar">
            <label>
              <span class="sr-only">Show</span>
              <select class="select" value={show} onChange={(e) => setShow(showValue(e.currentTarget.value))}>
                <option value="open">Open ({openCount})</option>
                <option value="closed">Closed</option>
                <option value="all">All tickets</option>
              </select>
            </label>
          </div>
          {tickets.length === 0 ? (
            <Empty title={show === 'open' ? 'No open tickets' : 'No tickets'}>{show === 'open' ? 'Nothing is waiting for you.' : ''}</Empty>
          ) : (
            <TicketTable tickets={tickets} now={list.loadedAt ?? Date.now()} />
          )}
        </section>
      )}
    </>
  );
}

function TicketTable({ tickets, now }: { tickets: AdminTicket[]; now: number }) {
  return (
    <DataTable testId="ticket-table" columns={['Subject', 'From', 'Device', 'Status', { label: 'Opened', num: true }]}>
      {tickets.map((t) => (
        <tr key={t.id}>
          <th scope="row">
            <Link to={{ page: 'ticket', id: t.id }} class="row-link">
              {t.subject}
            </Link>
          </th>
          <td>{t.user ? t.user.email : <span class="muted">deleted user</span>}</td>
          <td>{t.device ? <Link to={{ page: 'device', id: t.device.id }}>{t.device.name}</Link> : <span class="muted">removed device</span>}</td>
          <td>{t.status === 'open' ? <Badge tone="warn">Open</Badge> : <Badge tone="neutral">Closed</Badge>}</td>
          <td class="num" title={dateTime(t.createdAt)}>
            {relativeTime(t.createdAt, now)}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

function showValue(value: string): Show {
  return value === 'closed' || value === 'all' ? value : 'open';
}
