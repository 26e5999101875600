/**
 * What makes the OS start `waygate service` at boot, privileged: a systemd unit (Linux), a launchd
 * daemon plist (macOS), the sc.exe arguments that register a Windows service. Pure: the command in,
 * text or argv out; service-plan.ts turns them into installer actions.
 *
 * The service runs as root with no flags: as root it picks the system socket
 * (/run/waygate/waygate.sock on Linux, see host/paths.ts) and state dir (/var/lib/waygate, see
 * host/service/state-dir.ts), which is what the unit's RuntimeDirectory= and StateDirectory= create.
 */
import { WaygateError } from '../../protocol/errors.js';

export interface ServiceCommand {
  /** Absolute path of the node binary. */
  nodePath: string;
  /** Absolute path of the `waygate` entry script. */
  entryScript: string;
}

export const SYSTEMD_UNIT_NAME = 'waygate.service';
export const LAUNCHD_LABEL = 'org.waygate.service';
export const LAUNCHD_PLIST_NAME = `${LAUNCHD_LABEL}.plist`;
export const LAUNCHD_LOG_DIR = '/Library/Logs/Waygate';
export const WINDOWS_SERVICE_NAME = 'Waygate';

/** The program and its arguments, as every platform runs it. */
export function serviceArgv(command: ServiceCommand): string[] {
  return [command.nodePath, command.entryScript, 'service'];
}

const SYSTEMD_SAFE = /^[A-Za-z0-9_/.,:+@=-]+$/;

/**
 * One word of an ExecStart= line (systemd.syntax(7), systemd.service(5) "Command lines"): bare when
 * plainly safe, else double-quoted with `\` and `"` backslash-escaped. `%` is doubled in both cases
 * (a unit specifier otherwise) and `$` too (environment variable substitution otherwise). A control
 * character would end or corrupt the line, so it is refused.
 */
export function systemdQuote(arg: string): string {
  refuseControl(arg, 'a systemd unit');
  const unspecified = arg.replaceAll('%', '%%').replaceAll('$', '$$$$');
  if (SYSTEMD_SAFE.test(arg)) return unspecified;
  return `"${unspecified.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/**
 * Hardening is limited to what cannot get in the way of the tunnel: the service creates a TUN
 * device, changes routes and nftables rules, and may later rewrite /etc/resolv.conf or the proxy
 * settings it restores on stop. Left out on purpose:
 * - ProtectSystem=strict/full: /etc read-only. Replacing /etc/resolv.conf atomically (temp file +
 *   rename in /etc) fails there even with ReadWritePaths=/etc/resolv.conf, which only bind-mounts
 *   the file itself.
 * - ProtectKernelTunables=: makes /proc/sys read-only (forwarding and rp_filter sysctls).
 * - PrivateDevices=: a private /dev without /dev/net/tun.
 * - PrivateTmp=, ProtectHome=: a --socket or --state-dir there would silently land elsewhere.
 * - CapabilityBoundingSet=, RestrictAddressFamilies=: the service and the ip/nft it spawns need
 *   more than CAP_NET_ADMIN and AF_NETLINK to be right on every distribution; a wrong guess is a
 *   tunnel that fails only on some machines.
 */
export function renderSystemdUnit(command: ServiceCommand): string {
  return [
    '# Written by `waygate install --service`; `waygate uninstall --service` removes it.',
    '[Unit]',
    'Description=Waygate client connector service',
    // Wants= pulls in the wait for a configured network; After= orders the start behind it, so the
    // first portal sync does not fail at boot. The service copes with no network, it just retries.
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${serviceArgv(command).map(systemdQuote).join(' ')}`,
    // A clean exit (an operator's `systemctl stop`) stays stopped; a crash comes back in 2 s.
    'Restart=on-failure',
    'RestartSec=2',
    // /var/lib/waygate: enrollment and the last good config. 0700, as state-dir.ts expects.
    'StateDirectory=waygate',
    'StateDirectoryMode=0700',
    // /run/waygate: the LocalAPI socket. 0755 so every local user can reach the socket; the
    // LocalAPI route table decides what each caller may do. Removed by systemd when the service stops.
    'RuntimeDirectory=waygate',
    'RuntimeDirectoryMode=0755',
    // The service runs as root, which has these already; naming them keeps the unit correct if a
    // User= is ever added (TUN, routes and nftables need CAP_NET_ADMIN; raw probes CAP_NET_RAW).
    'AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW',
    // Neither node nor ip/nft needs setuid binaries; this stops a compromised service gaining more.
    'NoNewPrivileges=yes',
    // /usr, /boot and /efi read-only: the service never writes there, while /etc, /run, /proc/sys stay writable.
    'ProtectSystem=yes',
    // With DeviceAllow= the device policy becomes "auto": only the pseudo devices (/dev/null,
    // /dev/zero, /dev/full, /dev/random, /dev/urandom) and this one. /dev/net/tun is all the service opens.
    'DeviceAllow=/dev/net/tun rw',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/**
 * A launchd daemon (`/Library/LaunchDaemons`, run as root at boot). KeepAlive restarts it whenever
 * it exits; launchd throttles restarts to one per 10 s by default. The log directory must exist
 * before launchd opens the file (service-plan.ts creates it).
 */
export function renderLaunchdPlist(command: ServiceCommand): string {
  const args = serviceArgv(command).map((arg) => `\t\t<string>${xmlEscape(arg)}</string>`);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    '<dict>',
    '\t<key>Label</key>',
    `\t<string>${LAUNCHD_LABEL}</string>`,
    '\t<key>ProgramArguments</key>',
    '\t<array>',
    ...args,
    '\t</array>',
    '\t<key>RunAtLoad</key>',
    '\t<true/>',
    '\t<key>KeepAlive</key>',
    '\t<true/>',
    '\t<key>StandardOutPath</key>',
    `\t<string>${LAUNCHD_LOG_DIR}/waygate.log</string>`,
    '\t<key>StandardErrorPath</key>',
    `\t<string>${LAUNCHD_LOG_DIR}/waygate.err.log</string>`,
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
}

export interface WindowsServiceArgs {
  create: string[];
  failure: string[];
  description: string[];
}

/**
 * Arguments for sc.exe (without the program). sc.exe takes each option as `name=` followed by the
 * value as a separate word — the space after `=` is its syntax — so each is two argv entries.
 * binPath is one string the service manager later splits: each path is double-quoted there.
 */
export function windowsServiceArgs(command: ServiceCommand): WindowsServiceArgs {
  const binPath = serviceArgv(command).map(windowsQuote).join(' ');
  return {
    create: ['create', WINDOWS_SERVICE_NAME, 'binPath=', binPath, 'start=', 'auto', 'DisplayName=', 'Waygate'],
    // Restart 2 s after every failure; the failure count resets after a day without one.
    failure: ['failure', WINDOWS_SERVICE_NAME, 'reset=', '86400', 'actions=', 'restart/2000'],
    description: ['description', WINDOWS_SERVICE_NAME, 'Waygate client connector: sends this device traffic through your organisation edge.'],
  };
}

function windowsQuote(arg: string): string {
  if (/["\r\n]/.test(arg)) {
    throw new WaygateError(
      'BAD_REQUEST',
      `${JSON.stringify(arg)} contains a double quote or a line break, which a Windows service command line cannot carry. Use a path without them.`,
    );
  }
  return /[\s]/.test(arg) ? `"${arg}"` : arg;
}

function xmlEscape(text: string): string {
  refuseControl(text, 'a launchd plist');
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&apos;');
}

/** C0 controls and DEL: a line break ends a unit line, and XML 1.0 cannot carry most of them. */
function refuseControl(text: string, where: string): void {
  if ([...text].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f)) {
    throw new WaygateError('BAD_REQUEST', `${JSON.stringify(text)} contains a control character, which ${where} cannot hold. Use a path without one.`);
  }
}
