import { describe, expect, it } from 'vitest';
import { parseIfconfig, parseNetstatRoutes, parseScutilDns } from '../../../../host/netmon/parse-darwin.js';
import { DARWIN_POLL_MS, DarwinNetmonSource } from '../../../../host/netmon/source.darwin.js';
import type { CommandRunner } from '../../../../host/proxy/system-proxy.js';
import { ManualClock } from '../../../fakes/manual-clock.js';

/** As printed by macOS 14 on a MacBook on Wi-Fi with a WireGuard (utun) tunnel up. */
const IFCONFIG = `lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 16384
\toptions=1203<RXCSUM,TXCSUM,TXSTATUS,SW_TIMESTAMP>
\tinet 127.0.0.1 netmask 0xff000000
\tinet6 ::1 prefixlen 128 
\tinet6 fe80::1%lo0 prefixlen 64 scopeid 0x1 
\tnd6 options=201<PERFORMNUD,DAD>
gif0: flags=8010<POINTOPOINT,MULTICAST> mtu 1280
stf0: flags=0<> mtu 1280
en0: flags=8863<UP,BROADCAST,SMART,RUNNING,SIMPLEX,MULTICAST> mtu 1500
\toptions=6460<TSO4,TSO6,CHANNEL_IO,PARTIAL_CSUM,ZEROINVERT_CSUM>
\tether 3c:22:fb:12:34:56
\tinet6 fe80::10d1:7c2a:9b3e:1f42%en0 prefixlen 64 secured scopeid 0xb 
\tinet 192.168.1.23 netmask 0xffffff00 broadcast 192.168.1.255
\tinet6 2001:db8:1:0:1c5e:2f3a:8d1:4b2 prefixlen 64 autoconf secured 
\tnd6 options=201<PERFORMNUD,DAD>
\tmedia: autoselect
\tstatus: active
en1: flags=8963<UP,BROADCAST,SMART,RUNNING,PROMISC,SIMPLEX,MULTICAST> mtu 1500
\toptions=460<TSO4,TSO6,CHANNEL_IO>
\tether 36:1c:8a:00:00:01
\tmedia: autoselect <full-duplex>
\tstatus: inactive
utun4: flags=8051<UP,POINTOPOINT,RUNNING,MULTICAST> mtu 1420
\toptions=6463<RXCSUM,TXCSUM,TSO4,TSO6,CHANNEL_IO,PARTIAL_CSUM,ZEROINVERT_CSUM>
\tinet 10.8.0.2 --> 10.8.0.2 netmask 0xffffffff
`;

const NETSTAT_INET = `Routing tables

Internet:
Destination        Gateway            Flags               Netif Expire
default            192.168.1.1        UGScg                 en0       
default            link#20            UCSIg               utun4       
10.8/24            10.8.0.2           UGSc                utun4       
127                127.0.0.1          UCS                   lo0       
127.0.0.1          127.0.0.1          UH                    lo0       
192.168.1          link#11            UCS                   en0      !
192.168.1.1/32     link#11            UCS                   en0      !
`;

const NETSTAT_INET6 = `Routing tables

Internet6:
Destination                             Gateway                                 Flags               Netif Expire
default                                 fe80::1%en0                             UGcg                  en0       
default                                 fe80::%utun0                            UGcIg               utun0       
::1                                     ::1                                     UHL                   lo0       
`;

const SCUTIL_DNS = `DNS configuration

resolver #1
  search domain[0] : home.example
  search domain[1] : corp.example
  nameserver[0] : 192.168.1.1
  nameserver[1] : 2001:db8:1::1
  if_index : 11 (en0)
  flags    : Request A records, Request AAAA records
  reach    : 0x00020002 (Reachable,Directly Reachable Address)

resolver #2
  domain   : local
  options  : mdns
  timeout  : 5
  flags    : Request A records, Request AAAA records
  reach    : 0x00000000 (Not Reachable)
  order    : 300000

resolver #3
  domain   : corp.example
  nameserver[0] : 10.8.0.1
  flags    : Supplemental, Request A records
  reach    : 0x00000002 (Reachable)
  order    : 102400

DNS configuration (for scoped queries)

resolver #1
  search domain[0] : home.example
  nameserver[0] : 192.168.1.1
  if_index : 11 (en0)
  flags    : Scoped, Request A records
  reach    : 0x00020002 (Reachable,Directly Reachable Address)

resolver #2
  nameserver[0] : 10.8.0.1
  if_index : 20 (utun4)
  flags    : Scoped, Request A records
  reach    : 0x00000002 (Reachable)
`;

describe('macOS parsers', () => {
  it('ifconfig: addresses with prefixes from hex masks, up only when running and active, utun as VPN', () => {
    expect(parseIfconfig(IFCONFIG)).toEqual([
      { name: 'lo0', up: true, addresses: ['127.0.0.1/8', '::1/128', 'fe80::1/64'], vpn: false },
      { name: 'gif0', up: false, addresses: [], vpn: false },
      { name: 'stf0', up: false, addresses: [], vpn: false },
      { name: 'en0', up: true, addresses: ['fe80::10d1:7c2a:9b3e:1f42/64', '192.168.1.23/24', '2001:db8:1:0:1c5e:2f3a:8d1:4b2/64'], vpn: false },
      { name: 'en1', up: false, addresses: [], vpn: false },
      { name: 'utun4', up: true, addresses: ['10.8.0.2/32'], vpn: true },
    ]);
  });

  it('netstat: default rows only, link# as on-link, interface-scoped rows left out', () => {
    expect(parseNetstatRoutes(NETSTAT_INET, 4)).toEqual([{ gateway: '192.168.1.1', interface: 'en0', family: 4 }]);
    expect(parseNetstatRoutes(NETSTAT_INET6, 6)).toEqual([{ gateway: 'fe80::1', interface: 'en0', family: 6 }]);
    expect(parseNetstatRoutes('default            link#20            UCSg               utun4\n', 4)).toEqual([{ gateway: null, interface: 'utun4', family: 4 }]);
  });

  it('scutil --dns: servers and search domains of the default resolver, not split-DNS or scoped ones', () => {
    expect(parseScutilDns(SCUTIL_DNS)).toEqual({ dnsServers: ['192.168.1.1', '2001:db8:1::1'], searchDomains: ['home.example', 'corp.example'] });
    expect(parseScutilDns('DNS configuration\n\nNo DNS configuration available\n')).toEqual({ dnsServers: [], searchDomains: [] });
  });
});

describe('DarwinNetmonSource', () => {
  const outputs: Record<string, string> = {
    '/sbin/ifconfig': IFCONFIG,
    '/usr/sbin/netstat -rn -f inet': NETSTAT_INET,
    '/usr/sbin/netstat -rn -f inet6': NETSTAT_INET6,
    '/usr/sbin/scutil --dns': SCUTIL_DNS,
  };
  const run: CommandRunner = (file, args) => {
    const stdout = outputs[[file, ...args].join(' ')];
    return Promise.resolve(stdout === undefined ? { code: 127, stdout: '', stderr: `${file}: not found` } : { code: 0, stdout, stderr: '' });
  };

  it('puts the four commands together into one snapshot', async () => {
    const snapshot = await new DarwinNetmonSource(run, new ManualClock()).read();
    expect(snapshot.defaultRoutes).toHaveLength(2);
    expect(snapshot.dnsServers).toEqual(['192.168.1.1', '2001:db8:1::1']);
    expect(snapshot.interfaces.map((i) => i.name)).toContain('utun4');
  });

  it('rejects naming the command that failed', async () => {
    const failing: CommandRunner = (file, args) => (args[0] === '--dns' ? Promise.resolve({ code: 1, stdout: '', stderr: 'scutil: boom' }) : run(file, args));
    await expect(new DarwinNetmonSource(failing, new ManualClock()).read()).rejects.toThrow(/scutil --dns.*boom/);
  });

  it('raises an event every 5 s until stopped', () => {
    const clock = new ManualClock();
    let events = 0;
    const stop = new DarwinNetmonSource(run, clock).watch(() => (events += 1));
    clock.advance(3 * DARWIN_POLL_MS);
    expect(events).toBe(3);
    stop();
    clock.advance(3 * DARWIN_POLL_MS);
    expect(events).toBe(3);
  });
});
