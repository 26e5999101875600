/**
 * The Linux desktops' proxy settings, which are per user: GNOME's in GSettings (dconf), KDE's in
 * `~/.config/kioslaverc`. Both backends change the settings of whoever's environment they are given
 * (`env`: HOME, XDG_CONFIG_HOME, DBUS_SESSION_BUS_ADDRESS), so they must run as the desktop user,
 * inside or with access to the user's session: root's settings are not the user's.
 */
import { z } from 'zod';
import { canRun, runChecked, type CommandRunner, type SavedSettings, type SystemProxyBackend, type SystemProxyTarget } from './system-proxy.js';

const SCHEMA = 'org.gnome.system.proxy';

/**
 * What the user had, keyed by our name for it. `mode` and `autoconfig-url` are what apply changes;
 * the manual proxy and its exceptions are saved too, so a restore puts back exactly what was there
 * even if something changed them meanwhile. Restored in this order: `mode` last, so the user's
 * settings switch back on only once all of them are in place.
 */
const GNOME_KEYS = {
  ignoreHosts: [SCHEMA, 'ignore-hosts'],
  httpHost: [`${SCHEMA}.http`, 'host'],
  httpPort: [`${SCHEMA}.http`, 'port'],
  httpsHost: [`${SCHEMA}.https`, 'host'],
  httpsPort: [`${SCHEMA}.https`, 'port'],
  autoconfigUrl: [SCHEMA, 'autoconfig-url'],
  mode: [SCHEMA, 'mode'],
} as const;
type GnomeKey = keyof typeof GNOME_KEYS;
const GNOME_ORDER = Object.keys(GNOME_KEYS).filter((key): key is GnomeKey => key in GNOME_KEYS);

/** Each value in GVariant text, exactly as `gsettings get` printed it, which `gsettings set` takes back as is. */
const GnomeSaved = z.object({
  ignoreHosts: z.string(),
  httpHost: z.string(),
  httpPort: z.string(),
  httpsHost: z.string(),
  httpsPort: z.string(),
  autoconfigUrl: z.string(),
  mode: z.string(),
});

const GSETTINGS_HINT =
  'Install gsettings and the GNOME schemas (Debian/Ubuntu: apt-get install libglib2.0-bin gsettings-desktop-schemas) and run Waygate as the desktop user.';
/**
 * With no session bus, gsettings hands the write to dconf, which fails with only a warning and exit
 * status 0; so every write is read back.
 */
const NOT_KEPT_HINT =
  "GSettings did not keep the change: usually dconf cannot reach the user's D-Bus session bus (DBUS_SESSION_BUS_ADDRESS), so run Waygate inside the user's desktop session.";

/** A GVariant string literal, quoted the way `gsettings get` prints it, so the read-back compares equal. */
export function gvariantString(value: string): string {
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  return `${quote}${value.replaceAll('\\', '\\\\').replaceAll(quote, `\\${quote}`)}${quote}`;
}

function withoutNewline(text: string): string {
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

/** GNOME (and desktops built on GSettings: Cinnamon, Budgie…) via `gsettings`; mode 'auto' uses the PAC URL. */
export class GnomeProxyBackend implements SystemProxyBackend {
  readonly name = 'gnome';
  readonly needs = `gsettings with the ${SCHEMA} schema (apt-get install libglib2.0-bin gsettings-desktop-schemas)`;

  constructor(
    private readonly run: CommandRunner,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  async available(): Promise<boolean> {
    const { code } = await this.run('gsettings', ['list-keys', SCHEMA], { env: this.env });
    return code === 0;
  }

  async snapshot(): Promise<SavedSettings> {
    const saved: Record<string, string> = {};
    for (const key of GNOME_ORDER) saved[key] = await this.get(key);
    return GnomeSaved.parse(saved);
  }

  async apply(target: SystemProxyTarget): Promise<void> {
    await this.write([
      ['autoconfigUrl', gvariantString(target.url)],
      ['mode', gvariantString('auto')],
    ]);
  }

  async restore(saved: SavedSettings): Promise<void> {
    const values = GnomeSaved.parse(saved);
    await this.write(GNOME_ORDER.map((key) => [key, values[key]]));
  }

  private async get(key: GnomeKey): Promise<string> {
    return withoutNewline(await runChecked(this.run, ['gsettings', 'get', ...GNOME_KEYS[key]], GSETTINGS_HINT, this.env));
  }

  /** Sets each value in order, then reads them all back (see NOT_KEPT_HINT). */
  private async write(values: readonly (readonly [GnomeKey, string])[]): Promise<void> {
    for (const [key, value] of values) await runChecked(this.run, ['gsettings', 'set', ...GNOME_KEYS[key], value], GSETTINGS_HINT, this.env);
    for (const [key, value] of values) {
      const now = await this.get(key);
      if (now !== value) throw new Error(`\`gsettings get ${GNOME_KEYS[key].join(' ')}\` reads ${now}, not ${value}. ${NOT_KEPT_HINT}`);
    }
  }
}

const KIOSLAVERC = 'kioslaverc';
const KDE_GROUP = 'Proxy Settings';
/** `ProxyType` 2: "use proxy auto-configuration URL". */
const KDE_PAC = '2';
/** What kreadconfig prints for a key that is not in the file (its `--default`), so absent and empty differ. */
const KDE_ABSENT = 'waygate:key-absent';

/** null: the key was not in the file, and a restore deletes it again. */
const KdeSaved = z.object({ proxyType: z.string().nullable(), configScript: z.string().nullable() });
type KdeValues = z.infer<typeof KdeSaved>;
/** The keys apply changes, restored in this order (the type last, as for GNOME's mode). */
const KDE_KEYS: readonly (readonly [keyof KdeValues, string])[] = [
  ['configScript', 'Proxy Config Script'],
  ['proxyType', 'ProxyType'],
];

const KCONFIG_HINT = 'Install kwriteconfig5 (Debian/Ubuntu: apt-get install libkf5config-bin) and run Waygate as the desktop user.';

/**
 * KDE Plasma via kreadconfig/kwriteconfig (version 6 for Plasma 6, else 5: both edit the same file).
 * KIO reads kioslaverc when a worker starts; running KDE apps re-read it only on the D-Bus signal
 * `org.kde.KIO.Scheduler.reparseSlaveConfiguration` on the user's session bus, which a service
 * without that bus cannot send: they pick the change up when restarted.
 */
export class KdeProxyBackend implements SystemProxyBackend {
  readonly name = 'kde';
  readonly needs = 'kreadconfig5/kwriteconfig5 (apt-get install libkf5config-bin) or their Plasma 6 versions';
  private tools: Promise<{ read: string; write: string } | null> | null = null;

  constructor(
    private readonly run: CommandRunner,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  async available(): Promise<boolean> {
    return (await this.findTools()) !== null;
  }

  async snapshot(): Promise<SavedSettings> {
    return { proxyType: await this.read('ProxyType'), configScript: await this.read('Proxy Config Script') };
  }

  async apply(target: SystemProxyTarget): Promise<void> {
    await this.write({ configScript: target.url, proxyType: KDE_PAC });
  }

  async restore(saved: SavedSettings): Promise<void> {
    await this.write(KdeSaved.parse(saved));
  }

  private findTools(): Promise<{ read: string; write: string } | null> {
    this.tools ??= (async () => {
      for (const version of ['6', '5']) {
        if (await canRun(this.run, `kreadconfig${version}`, ['--help'], this.env)) return { read: `kreadconfig${version}`, write: `kwriteconfig${version}` };
      }
      return null;
    })();
    return this.tools;
  }

  private async requireTools(): Promise<{ read: string; write: string }> {
    const tools = await this.findTools();
    if (!tools) throw new Error(`Neither kreadconfig6 nor kreadconfig5 is installed. ${KCONFIG_HINT}`);
    return tools;
  }

  private async read(key: string): Promise<string | null> {
    const { read } = await this.requireTools();
    const argv = [read, '--file', KIOSLAVERC, '--group', KDE_GROUP, '--key', key, '--default', KDE_ABSENT] as const;
    const value = withoutNewline(await runChecked(this.run, argv, KCONFIG_HINT, this.env));
    return value === KDE_ABSENT ? null : value;
  }

  /** Writes (or deletes, for null) each key, then reads them back: kwriteconfig does not fail when the file cannot be saved. */
  private async write(values: KdeValues): Promise<void> {
    const { write } = await this.requireTools();
    for (const [field, key] of KDE_KEYS) {
      const value = values[field];
      const where = [write, '--file', KIOSLAVERC, '--group', KDE_GROUP, '--key', key] as const;
      // `--` so a value starting with "-" is not taken for an option.
      await runChecked(this.run, value === null ? [...where, '--delete'] : [...where, '--', value], KCONFIG_HINT, this.env);
    }
    for (const [field, key] of KDE_KEYS) {
      const now = await this.read(key);
      if (now !== values[field]) {
        throw new Error(`${KIOSLAVERC} [${KDE_GROUP}] ${key} reads ${JSON.stringify(now)}, not ${JSON.stringify(values[field])}: check that the user's config dir (XDG_CONFIG_HOME or ~/.config) is writable.`);
      }
    }
  }
}
