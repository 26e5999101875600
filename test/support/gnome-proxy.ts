/**
 * The GNOME proxy settings a service under test changes, read with the real `gsettings` from the
 * test's own keyfile backend (isolatedEnv), never the machine's.
 */
import { execFileSync } from 'node:child_process';

/** Why the GNOME checks cannot run here (null when they can); throws in CI, where they must. */
export function gsettingsBlocker(): string | null {
  try {
    execFileSync('gsettings', ['--version']);
    return null;
  } catch {
    const missing = 'gsettings is not installed (apt-get install -y libglib2.0-bin gsettings-desktop-schemas)';
    if (process.env.CI === 'true') throw new Error(`In CI: ${missing}`);
    return missing;
  }
}

/** `gsettings get org.gnome.system.proxy KEY` in the service's environment, as printed ('auto', 'http://…'). */
export function gnomeProxySetting(env: NodeJS.ProcessEnv, key: string): string {
  return execFileSync('gsettings', ['get', 'org.gnome.system.proxy', key], { env: { ...process.env, ...env }, encoding: 'utf8' }).trim();
}
