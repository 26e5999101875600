import { describe, expect, it } from 'vitest';
import { formatStatus, formatTunnel } from '../../../../host/cli/status.js';
import { PROTECTED_STATUS, TUNNEL_UP } from '../../extension/status-fixture.js';

const UP = TUNNEL_UP;

describe('waygate status: tunnel', () => {
  it('prints the tunnel under the edge: state, interface and address, edge, DNS, IPv6, offload and traffic', () => {
    const text = formatStatus({ ...PROTECTED_STATUS, tunnel: UP }, '/run/waygate.sock');
    const lines = text.split('\n');
    const at = lines.findIndex((line) => line.startsWith('  tunnel:'));
    expect(lines[at - 1]).toMatch(/^ {2}edge: {7}eu-1 \(Frankfurt\)/);
    expect(lines.slice(at, at + 7)).toEqual([
      '  tunnel:     up since 2030-01-01T12:00:00.000Z — Tunnel up through eu-1.',
      '              interface waygate0, address 100.64.0.2/16',
      '              edge      eu-1 (Frankfurt)',
      '              dns       10.0.0.53, 10.0.0.54',
      '              ipv6      blocked while the tunnel is up',
      '              offload   on (GSO super-packets)',
      '              traffic   1.5 MB up, 20 MB down',
    ]);
    expect(lines[at + 7]).toMatch(/^ {2}browser:/);
  });

  it('prints no tunnel while the plan runs none', () => {
    expect(formatStatus(PROTECTED_STATUS, '/run/waygate.sock')).not.toContain('tunnel:');
  });

  it('says what is not there yet, and names another edge by id alone', () => {
    const lines = formatTunnel({ ...UP, state: 'connecting', reason: '', interface: null, address: null, edgeId: null, dns: [], ipv6: 'tunnelled', offload: false, bytesUp: 0, bytesDown: 0 }, null);
    expect(lines).toEqual([
      '  tunnel:     connecting since 2030-01-01T12:00:00.000Z',
      '              interface not open yet, address none yet',
      '              edge      none chosen yet',
      "              dns       the device's own",
      '              ipv6      tunnelled',
      '              offload   off (one packet at a time)',
      '              traffic   0 B up, 0 B down',
    ]);
    expect(formatTunnel({ ...UP, edgeId: 'us-2' }, PROTECTED_STATUS.edge)[2]).toBe('              edge      us-2');
  });

  it('counts dropped packets when there are some, and why', () => {
    const lines = formatTunnel({ ...UP, state: 'fail-closed', reason: 'No edge answers; fail-closed.', packetsDropped: 1 }, null);
    expect(lines[0]).toBe('  tunnel:     fail-closed since 2030-01-01T12:00:00.000Z — No edge answers; fail-closed.');
    expect(lines.at(-1)).toBe('              dropped   1 packet rather than sent outside the tunnel (while it was down, or the adapter was full)');
    expect(formatTunnel({ ...UP, packetsDropped: 4096 }, null).at(-1)).toMatch(/^ {14}dropped {3}4096 packets rather than/);
  });
});
