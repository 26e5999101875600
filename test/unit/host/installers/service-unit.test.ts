import { describe, expect, it } from 'vitest';
import { WaygateError } from '../../../../protocol/errors.js';
import { renderLaunchdPlist, renderSystemdUnit, systemdQuote, windowsServiceArgs } from '../../../../host/installers/service-unit.js';

const COMMAND = { nodePath: '/usr/bin/node', entryScript: '/opt/waygate/waygate.mjs' };

/** `[Section]` → `Key=value` lines, in order, so repeated keys are kept. */
function sections(unit: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let current = '';
  for (const line of unit.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1]) {
      current = header[1];
      out[current] = [];
      continue;
    }
    out[current]?.push(line);
  }
  return out;
}

describe('the systemd unit', () => {
  it('has every directive, in its section', () => {
    expect(sections(renderSystemdUnit(COMMAND))).toEqual({
      Unit: ['Description=Waygate client connector service', 'Wants=network-online.target', 'After=network-online.target'],
      Service: [
        'Type=simple',
        'ExecStart=/usr/bin/node /opt/waygate/waygate.mjs service',
        'Restart=on-failure',
        'RestartSec=2',
        'StateDirectory=waygate',
        'StateDirectoryMode=0700',
        'RuntimeDirectory=waygate',
        'RuntimeDirectoryMode=0755',
        'AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW',
        'NoNewPrivileges=yes',
        'ProtectSystem=yes',
        'DeviceAllow=/dev/net/tun rw',
      ],
      Install: ['WantedBy=multi-user.target'],
    });
  });

  it('does not make /etc or /proc/sys read-only, nor hide /dev/net/tun', () => {
    const unit = renderSystemdUnit(COMMAND);
    expect(unit).not.toMatch(/^ProtectSystem=(strict|full)$/m);
    expect(unit).not.toMatch(/^(ProtectKernelTunables|PrivateDevices)=/m);
  });

  it('quotes paths with spaces, and escapes quotes, backslashes, % and $', () => {
    const unit = renderSystemdUnit({ nodePath: '/opt/my node/bin/node', entryScript: '/srv/a "b"\\c 100%$HOME.mjs' });
    expect(unit).toContain('ExecStart="/opt/my node/bin/node" "/srv/a \\"b\\"\\\\c 100%%$$HOME.mjs" service\n');
  });

  it.each([
    ['/usr/bin/node', '/usr/bin/node'],
    ['/a/50%', '"/a/50%%"'],
    ['/a/$x', '"/a/$$x"'],
    ['/a b', '"/a b"'],
    ["/it's", `"/it's"`],
  ])('systemdQuote(%j) is %s', (arg, quoted) => {
    expect(systemdQuote(arg)).toBe(quoted);
  });

  it('refuses a path with a line break', () => {
    expect(() => renderSystemdUnit({ ...COMMAND, entryScript: '/a\nExecStartPre=/bin/evil' })).toThrow(WaygateError);
  });
});

describe('the launchd plist', () => {
  it('runs the service at load, keeps it alive and logs under /Library/Logs/Waygate', () => {
    expect(renderLaunchdPlist(COMMAND)).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
        '<plist version="1.0">',
        '<dict>',
        '\t<key>Label</key>',
        '\t<string>org.waygate.service</string>',
        '\t<key>ProgramArguments</key>',
        '\t<array>',
        '\t\t<string>/usr/bin/node</string>',
        '\t\t<string>/opt/waygate/waygate.mjs</string>',
        '\t\t<string>service</string>',
        '\t</array>',
        '\t<key>RunAtLoad</key>',
        '\t<true/>',
        '\t<key>KeepAlive</key>',
        '\t<true/>',
        '\t<key>StandardOutPath</key>',
        '\t<string>/Library/Logs/Waygate/waygate.log</string>',
        '\t<key>StandardErrorPath</key>',
        '\t<string>/Library/Logs/Waygate/waygate.err.log</string>',
        '</dict>',
        '</plist>',
        '',
      ].join('\n'),
    );
  });

  it('XML-escapes paths, which stay well-formed with spaces and markup characters', () => {
    const plist = renderLaunchdPlist({ nodePath: '/Applications/My App/node', entryScript: `/x/<a> & "b" 'c'.mjs` });
    expect(plist).toContain('<string>/Applications/My App/node</string>');
    expect(plist).toContain('<string>/x/&lt;a&gt; &amp; &quot;b&quot; &apos;c&apos;.mjs</string>');
    const tags = [...plist.matchAll(/<(\/?)([A-Za-z]+)[^>]*?(\/?)>/g)].filter((m) => m[2] !== 'xml' && m[2] !== 'DOCTYPE');
    const open: string[] = [];
    for (const [, closing, name, selfClosing] of tags) {
      if (selfClosing) continue;
      if (closing) expect(open.pop()).toBe(name);
      else open.push(name ?? '');
    }
    expect(open).toEqual([]);
  });

  it('refuses a control character', () => {
    expect(() => renderLaunchdPlist({ ...COMMAND, nodePath: '/a\u0001b' })).toThrow(WaygateError);
  });
});

describe('the Windows service arguments', () => {
  it('are sc.exe words, with the space after each `name=`, and binPath quoting each path', () => {
    expect(windowsServiceArgs({ nodePath: 'C:\\Program Files\\nodejs\\node.exe', entryScript: 'C:\\Waygate\\waygate.mjs' })).toEqual({
      create: [
        'create',
        'Waygate',
        'binPath=',
        '"C:\\Program Files\\nodejs\\node.exe" C:\\Waygate\\waygate.mjs service',
        'start=',
        'auto',
        'DisplayName=',
        'Waygate',
      ],
      failure: ['failure', 'Waygate', 'reset=', '86400', 'actions=', 'restart/2000'],
      description: ['description', 'Waygate', 'Waygate client connector: sends this device traffic through your organisation edge.'],
    });
  });

  it('refuses a double quote in a path', () => {
    expect(() => windowsServiceArgs({ nodePath: 'C:\\a"b\\node.exe', entryScript: 'C:\\w.mjs' })).toThrow(/double quote/);
  });
});
