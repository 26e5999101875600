/**
 * The policy simulator: who, on what device and network, opening which URL — and what the policy
 * does about it (the app profile that matches, the action, the edge) with the reasons, in order.
 * Runs against the current version or any earlier one.
 */
import { useState } from 'preact/hooks';
import type { DeviceOs, NetworkType, SimulationResult } from '../../../../protocol/policy.js';
import { Icon } from '../components/Icon.js';
import { Link } from '../components/Link.js';
import { PageHeader } from '../components/PageHeader.js';
import { useApi, useConsole } from '../console-context.js';
import { useResource } from '../use-resource.js';
import { SimulationView } from './SimulationView.js';

const OSES: { value: DeviceOs; label: string }[] = [
  { value: 'windows', label: 'Windows' },
  { value: 'macos', label: 'macOS' },
  { value: 'linux', label: 'Linux' },
  { value: 'chromeos', label: 'ChromeOS' },
];
const NETWORKS: { value: NetworkType; label: string }[] = [
  { value: 'off-trusted', label: 'Off trusted network' },
  { value: 'trusted', label: 'Trusted network' },
  { value: 'vpn-trusted', label: 'Trusted via VPN' },
];

export function Simulator() {
  const api = useApi();
  const { session } = useConsole();
  const history = useResource(() => api.policyHistory(), [api]);
  const [email, setEmail] = useState(session.user.email);
  const [groups, setGroups] = useState('');
  const [os, setOs] = useState<DeviceOs>('windows');
  const [network, setNetwork] = useState<NetworkType>('off-trusted');
  const [url, setUrl] = useState('https://www.example.com/');
  const [version, setVersion] = useState(0);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: true; value: SimulationResult } | { ok: false; message: string } | null>(null);

  const run = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      const value = await api.simulate({
        userEmail: email.trim(),
        groups: groups
          .split(',')
          .map((g) => g.trim())
          .filter(Boolean),
        os,
        networkType: network,
        url: url.trim(),
        ...(version > 0 ? { version } : {}),
      });
      setResult({ ok: true, value });
    } catch (err) {
      setResult({ ok: false, message: err instanceof Error ? err.message : String(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageHeader
        title="Policy simulator"
        description="See what the policy does for a person, device and network before it happens to them."
        actions={
          <Link to={{ page: 'policy' }} class="button">
            <Icon name="policy" size={16} />
            Edit policy
          </Link>
        }
      />
      <section class="card" aria-labelledby="sim-form-title">
        <h2 class="sr-only" id="sim-form-title">
          Situation
        </h2>
        <form onSubmit={(e) => void run(e)}>
          <div class="form-grid">
            <label class="field">
              <span class="field-label">User email</span>
              <input class="input" type="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
            </label>
            <label class="field">
              <span class="field-label">Groups</span>
              <input class="input" placeholder="engineering, contractors" value={groups} onInput={(e) => setGroups(e.currentTarget.value)} />
            </label>
            <label class="field">
              <span class="field-label">Platform</span>
              <select class="select" value={os} onChange={(e) => setOs(OSES.find((o) => o.value === e.currentTarget.value)?.value ?? 'windows')}>
                {OSES.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            </label>
            <label class="field">
              <span class="field-label">Network</span>
              <select class="select" value={network} onChange={(e) => setNetwork(NETWORKS.find((n) => n.value === e.currentTarget.value)?.value ?? 'off-trusted')}>
                {NETWORKS.map((n) => (
                  <option key={n.value} value={n.value}>
                    {n.label}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <div class="form-grid section-gap">
            <label class="field sim-url">
              <span class="field-label">URL</span>
              <input class="input" type="url" required value={url} onInput={(e) => setUrl(e.currentTarget.value)} />
            </label>
            <label class="field">
              <span class="field-label">Policy version</span>
              <select class="select" value={String(version)} onChange={(e) => setVersion(Number(e.currentTarget.value))}>
                <option value="0">Current</option>
                {(history.data?.versions ?? []).slice(1).map((v) => (
                  <option key={v.version} value={String(v.version)}>
                    Version {v.version}
                    {v.comment ? ` — ${v.comment.slice(0, 40)}` : ''}
                  </option>
                ))}
              </select>
            </label>
            <div class="form-actions">
              <button type="submit" class="button primary" disabled={busy}>
                {busy ? 'Simulating…' : 'Simulate'}
              </button>
            </div>
          </div>
        </form>
      </section>
      <div aria-live="polite" data-testid="simulation">
        {result && !result.ok && (
          <div class="state state-error section-gap" role="alert">
            <Icon name="alert" />
            <p>{result.message}</p>
          </div>
        )}
        {result?.ok && <SimulationView result={result.value} />}
      </div>
    </>
  );
}
