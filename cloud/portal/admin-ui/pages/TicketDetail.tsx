/** One ticket: what the user wrote, the diagnostics bundle to download, and closing it. */
import { Badge } from '../components/Badge.js';
import { Card } from '../components/Card.js';
import { ConfirmButton } from '../components/ConfirmButton.js';
import { Icon } from '../components/Icon.js';
import { Link } from '../components/Link.js';
import { PageHeader } from '../components/PageHeader.js';
import { ErrorPanel, Loading } from '../components/States.js';
import { useApi } from '../console-context.js';
import { bytes, dateTime } from '../format.js';
import { useAction } from '../use-action.js';
import { useResource } from '../use-resource.js';

export function TicketDetail({ id }: { id: string }) {
  const api = useApi();
  const act = useAction();
  const ticket = useResource(() => api.ticket(id), [api, id]);
  const back = (
    <Link to={{ page: 'tickets' }}>
      <Icon name="back" size={14} /> All tickets
    </Link>
  );
  if (!ticket.data) {
    return (
      <>
        <PageHeader title="Ticket" back={back} />
        {ticket.error ? <ErrorPanel error={ticket.error} onRetry={() => void ticket.reload()} /> : <Loading what="the ticket" />}
      </>
    );
  }
  const t = ticket.data;
  return (
    <>
      <PageHeader
        title={t.subject}
        back={back}
        description={
          <>
            {t.status === 'open' ? <Badge tone="warn">Open</Badge> : <Badge tone="neutral">Closed</Badge>} Opened {dateTime(t.createdAt)}
          </>
        }
        actions={
          t.status === 'open' && (
            <ConfirmButton
              label="Close ticket"
              title="Close this ticket?"
              confirmLabel="Close ticket"
              onConfirm={async () => {
                await act(() => api.closeTicket(t.id), 'Ticket closed.');
                void ticket.reload();
              }}
            >
              Close it once the user's problem is solved. The message and bundle stay available.
            </ConfirmButton>
          )
        }
      />
      <div class="detail-grid">
        <Card titleId="message-title" title="Message">
          <p class="message-body">{t.message || <span class="muted">(no message)</span>}</p>
        </Card>
        <Card titleId="about-title" title="About">
          <dl class="kv">
            <dt>From</dt>
            <dd>{t.user ? `${t.user.name} (${t.user.email})` : 'deleted user'}</dd>
            <dt>Device</dt>
            <dd>{t.device ? <Link to={{ page: 'device', id: t.device.id }}>{t.device.name}</Link> : 'removed device'}</dd>
            <dt>Diagnostics</dt>
            <dd>
              {t.bundle ? (
                <a class="button small" href={t.bundle.url} download>
                  <Icon name="download" size={16} />
                  Download ({bytes(t.bundle.bytes)})
                </a>
              ) : (
                <span class="muted">None attached</span>
              )}
            </dd>
          </dl>
        </Card>
      </div>
    </>
  );
}
