/** What the simulator found: the four answers that matter at a glance, then every reason in order. */
import type { SimulationResult } from '../../../../protocol/policy.js';
import { Badge } from '../components/Badge.js';
import { Card } from '../components/Card.js';
import { accessLabel, actionLabel, destinationLabel, NETWORK_LABELS } from '../simulation-view.js';

export function SimulationView({ result: r }: { result: SimulationResult }) {
  return (
    <Card titleId="sim-result-title" title="Result" class="section-gap" testId="simulation-result" aside={<Badge tone={r.accessDecision.action === 'allow' ? 'ok' : 'bad'}>{r.accessDecision.action === 'allow' ? 'Allowed' : 'Blocked'}</Badge>}>
      <div class="sim-result">
        <Fact label="App profile" value={r.appProfile ? r.appProfile.name : 'None matches'} sub={r.appProfile ? `Rule ${r.appProfile.index + 1} · ${r.appProfile.id}` : 'The device gets no config'} />
        <Fact label="Action" value={actionLabel(r)} sub={`${destinationLabel(r.destination)} · ${NETWORK_LABELS[r.networkType]}`} />
        <Fact label="Edge" value={r.edge ? r.edge.primary.region : 'None'} sub={r.edge ? `${r.edge.primary.id}${r.edge.secondary ? `, then ${r.edge.secondary.region}` : ''}` : 'The request does not reach an edge'} />
        <Fact label="Forwarding profile" value={r.forwardingProfile?.name ?? '—'} sub={r.forwardingProfile?.id ?? ''} />
      </div>
      <p class="section-gap">
        <strong>Access:</strong> {accessLabel(r.accessDecision)}
      </p>
      <h3 class="field-label section-gap">Why</h3>
      <ol class="reasons" data-testid="simulation-reasons">
        {r.reasons.map((reason, i) => (
          <li key={i}>{reason}</li>
        ))}
      </ol>
    </Card>
  );
}

function Fact({ label, value, sub }: { label: string; value: string; sub: string }) {
  return (
    <div class="sim-fact">
      <p class="sim-fact-label">{label}</p>
      <p class="sim-fact-value">{value}</p>
      {sub && <p class="cell-sub">{sub}</p>}
    </div>
  );
}
