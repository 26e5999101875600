/**
 * The audit log, newest first, a page at a time: who changed what, when. Paging follows the API's
 * cursor (`before`); the cursors of the pages already seen make "Newer" work without a count.
 */
import { useState } from 'preact/hooks';
import type { AdminAuditEntry } from '../../../../protocol/portal-admin.js';
import { DataTable } from '../components/DataTable.js';
import { PageHeader } from '../components/PageHeader.js';
import { Pager } from '../components/Pager.js';
import { Empty, ErrorPanel, Loading } from '../components/States.js';
import { useApi } from '../console-context.js';
import { auditDetails } from '../audit-view.js';
import { dateTime, relativeTime } from '../format.js';
import { useResource } from '../use-resource.js';

const PAGE_SIZE = 50;

export function Audit() {
  const api = useApi();
  /** cursors[i] is the `before` of page i; page 0 starts at the newest entry. */
  const [cursors, setCursors] = useState<(number | null)[]>([null]);
  const page = cursors.length - 1;
  const before = cursors[page] ?? null;
  const log = useResource(() => api.audit(before, PAGE_SIZE), [api, before]);
  const now = log.loadedAt ?? Date.now();
  return (
    <>
      <PageHeader title="Audit log" description="Every admin change and security event, newest first." />
      {log.error && <ErrorPanel error={log.error} onRetry={() => void log.reload()} />}
      {!log.data && !log.error && <Loading what="the audit log" />}
      {log.data && (
        <section class="card flush" aria-label="Audit entries">
          {log.data.entries.length === 0 ? (
            <Empty title="Nothing recorded yet" />
          ) : (
            <DataTable testId="audit-table" columns={['When', 'Who', 'Action', 'Target', 'Details']}>
              {log.data.entries.map((e) => (
                <AuditRow key={e.id} entry={e} now={now} />
              ))}
            </DataTable>
          )}
          <Pager
            page={page}
            busy={log.loading}
            hasOlder={log.data.nextBefore !== null}
            onNewer={() => setCursors(cursors.slice(0, -1))}
            onOlder={() => setCursors([...cursors, log.data?.nextBefore ?? null])}
          />
        </section>
      )}
    </>
  );
}

function AuditRow({ entry: e, now }: { entry: AdminAuditEntry; now: number }) {
  const details = auditDetails(e.details, (ms) => dateTime(ms));
  return (
    <tr>
      <td class="nowrap">
        <div>{relativeTime(e.at, now)}</div>
        <div class="cell-sub">{dateTime(e.at)}</div>
      </td>
      <td>{e.actor ? <span title={e.actor.email}>{e.actor.name}</span> : <span class="muted">{e.actorId ? 'deleted user' : 'system'}</span>}</td>
      <td class="nowrap">
        <code>{e.action}</code>
      </td>
      <td class="mono nowrap">{e.target}</td>
      <td class="cell-sub">{details}</td>
    </tr>
  );
}
