import { describe, expect, it, vi } from 'vitest';
import { Heartbeat } from '../../../../host/service/heartbeat.js';
import { WaygateError } from '../../../../protocol/errors.js';
import type { DeviceFingerprint, Heartbeat as HeartbeatBody, HeartbeatResponse } from '../../../../protocol/portal.js';
import { silentLogger } from '../../../fakes/logger.js';
import { ManualClock } from '../../../fakes/manual-clock.js';

const FINGERPRINT: DeviceFingerprint = { os: 'linux', osVersion: '6.8', hostname: 'laptop', appVersion: '0.1.0', state: 'protected' };

function harness(options: { answers?: (HeartbeatResponse | WaygateError)[]; policyVersion?: number | null; random?: number } = {}) {
  const clock = new ManualClock();
  const answers = options.answers ?? [{ policyVersion: 1 }];
  const sent: { credential: string; beat: HeartbeatBody }[] = [];
  const heartbeat = vi.fn((credential: string, beat: HeartbeatBody) => {
    sent.push({ credential, beat });
    const answer = answers[Math.min(sent.length - 1, answers.length - 1)] ?? { policyVersion: null };
    return answer instanceof WaygateError ? Promise.reject(answer) : Promise.resolve(answer);
  });
  const onNewPolicy = vi.fn();
  const beat = new Heartbeat({
    client: { heartbeat },
    credential: 'wgd.dev-1.secret',
    clock,
    random: () => options.random ?? 0.5,
    logger: silentLogger,
    fingerprint: () => FINGERPRINT,
    policyVersion: () => (options.policyVersion === undefined ? 1 : options.policyVersion),
    onNewPolicy,
  });
  return { clock, beat, sent, heartbeat, onNewPolicy };
}

describe('Heartbeat', () => {
  it('sends the fingerprint and the policy version the device applies, with its credential', async () => {
    const h = harness({ policyVersion: 7, answers: [{ policyVersion: 7 }] });
    await h.beat.beat();
    expect(h.sent).toEqual([{ credential: 'wgd.dev-1.secret', beat: { fingerprint: FINGERPRINT, policyVersion: 7 } }]);
    expect(h.onNewPolicy).not.toHaveBeenCalled();
  });

  it('asks for a sync when the portal names a different policy version', async () => {
    const h = harness({ policyVersion: 7, answers: [{ policyVersion: 8 }] });
    await h.beat.beat();
    expect(h.onNewPolicy).toHaveBeenCalledTimes(1);
  });

  it('asks for a sync when the device has no config yet and the portal has one', async () => {
    const h = harness({ policyVersion: null, answers: [{ policyVersion: 1 }] });
    await h.beat.beat();
    expect(h.sent[0]?.beat.policyVersion).toBeNull();
    expect(h.onNewPolicy).toHaveBeenCalledTimes(1);
  });

  it('does not ask for a sync when the portal has no policy version to offer', async () => {
    const h = harness({ policyVersion: 3, answers: [{ policyVersion: null }] });
    await h.beat.beat();
    expect(h.onNewPolicy).not.toHaveBeenCalled();
  });

  it.each([
    [0, 54_000],
    [0.5, 60_000],
    [1, 66_000],
  ])('schedules the next beat a jittered minute later (random %f → %i ms)', async (random, ms) => {
    const h = harness({ random });
    await h.beat.beat();
    expect(h.clock.pending()).toEqual([{ at: h.clock.now() + ms, ms }]);
    h.clock.advance(ms - 1);
    expect(h.heartbeat).toHaveBeenCalledTimes(1);
    h.clock.advance(1);
    expect(h.heartbeat).toHaveBeenCalledTimes(2);
  });

  it('keeps beating after a failed beat', async () => {
    const h = harness({ answers: [new WaygateError('PORTAL_UNREACHABLE', 'down'), { policyVersion: 1 }] });
    await h.beat.beat();
    expect(h.clock.pending()).toHaveLength(1);
    expect(h.onNewPolicy).not.toHaveBeenCalled();
  });

  it('keeps one schedule when beaten on demand, and none once stopped', async () => {
    const h = harness();
    await h.beat.beat();
    await h.beat.beat();
    expect(h.clock.pending()).toHaveLength(1);
    h.beat.stop();
    expect(h.clock.pending()).toHaveLength(0);
    h.clock.advance(10 * 60_000);
    expect(h.heartbeat).toHaveBeenCalledTimes(2);
  });
});
