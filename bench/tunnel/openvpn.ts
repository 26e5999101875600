/**
 * OpenVPN 2.6 (Debian) in point-to-point TLS mode over UDP, data channel AES-256-GCM, `--dev tun`
 * at both ends; certificates from the throwaway CA. Static-key mode cannot do GCM, hence TLS.
 * DCO is switched off explicitly: this kernel has no ovpn-dco module, and the comparison is with
 * userspace OpenVPN. Tunnel addresses 198.18.20.1 (edge) and .2 (client); everything else default.
 */
import { run } from '../../test/support/netns.js';
import type { Certs } from './certs.js';
import { spawnInNetns, type BenchProcess } from './processes.js';
import { EDGE_CLIENT_SIDE, SERVER_NET } from './topology.js';
import type { Variant } from './variant.js';

const PORT = '1194';
const COMMON = ['--dev-type', 'tun', '--proto', 'udp', '--data-ciphers', 'AES-256-GCM', '--data-ciphers-fallback', 'AES-256-GCM', '--disable-dco', '--verb', '3'];
const STARTED = /Initialization Sequence Completed/;
const CIPHER = /Data Channel: cipher 'AES-256-GCM'/i;

export function openVpn(certs: Certs): Variant {
  return {
    name: 'OpenVPN',
    async start({ client, edge }) {
      const { caCert, serverCert, serverKey, clientCert, clientKey } = certs;
      const started: BenchProcess[] = [];
      const stop = async () => {
        await Promise.all(started.map((proc) => proc.stop()));
      };
      try {
        const server = spawnInNetns('openvpn edge', edge, [
          'openvpn', '--dev', 'ovpne0', ...COMMON, '--local', EDGE_CLIENT_SIDE, '--lport', PORT, '--ifconfig', '198.18.20.1', '198.18.20.2',
          '--tls-server', '--dh', 'none', '--ca', caCert, '--cert', serverCert, '--key', serverKey,
        ]);
        started.push(server);
        const device = spawnInNetns('openvpn client', client, [
          'openvpn', '--dev', 'ovpnc0', ...COMMON, '--remote', EDGE_CLIENT_SIDE, PORT, '--nobind', '--ifconfig', '198.18.20.2', '198.18.20.1',
          '--tls-client', '--remote-cert-tls', 'server', '--ca', caCert, '--cert', clientCert, '--key', clientKey,
        ]);
        started.push(device);
        await Promise.all([server.waitForLine(STARTED, 30_000), device.waitForLine(STARTED, 30_000)]);
        await device.waitForLine(CIPHER, 1000).catch(() => {
          throw new Error(`OpenVPN did not report an AES-256-GCM data channel. Its output:\n${device.output()}`);
        });
        await run(['ip', '-n', client, 'route', 'add', SERVER_NET, 'dev', 'ovpnc0']);
        const version = /OpenVPN (\S+)/.exec(device.output())?.[1] ?? '?';
        const mtu = /mtu (\d+)/.exec(await run(['ip', '-n', client, 'link', 'show', 'ovpnc0']))?.[1] ?? '?';
        return {
          processes: started.map((proc) => ({ role: proc.name, pid: proc.pid })),
          notes: [`OpenVPN ${version} p2p TLS, UDP, data channel AES-256-GCM, tun MTU ${mtu}, DCO off`],
          stop,
        };
      } catch (error) {
        await stop();
        throw error;
      }
    },
  };
}
