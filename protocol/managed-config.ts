/**
 * What an administrator puts in the extension's managed storage (`chrome.storage.managed`), through
 * enterprise browser policy (`3rdparty.extensions.<id>` on Linux and Windows, the
 * `com.google.Chrome.extensions.<id>` preference domain on macOS). The browser validates it against
 * `extension/public/managed_schema.json`, which must declare exactly these keys and types (a unit
 * test holds the two together); the extension validates it again here, because other sources
 * (Firefox's `policies.json`, an older schema) are not checked by the browser.
 *
 * Unknown keys are an error, not ignored: a misspelt `lockPortalURL` would otherwise leave the
 * portal address silently unlocked.
 */
import { z } from 'zod';

/** Visible ASCII, as the portal issues them (`wge_…`); nothing that needs quoting in a .reg or plist. */
const ENROLLMENT_TOKEN = /^[\x21-\x7e]+$/;

export const ManagedConfig = z
  .strictObject({
    /**
     * The organisation's portal, where the device enrolls and fetches its configuration. Not
     * z.httpUrl: that wants a dotted domain, and a portal may be at an intranet name or an IP.
     */
    portalUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. https://portal.example.com' }),
    /** An org enrollment token: with `userEmail`, the device enrolls without user interaction. */
    enrollmentToken: z
      .string()
      .min(1)
      .max(512)
      .regex(ENROLLMENT_TOKEN, { error: 'must be the token as the portal shows it (visible characters, no spaces)' })
      .optional(),
    /** The user a zero-touch device is enrolled for; the portal's enrollment-token grant requires it. */
    userEmail: z.email({ error: 'must be an email address' }).optional(),
    /** Absent means false: the user may change the portal address. */
    lockPortalUrl: z.boolean().optional(),
    /** Absent means true: the user may sign out (unenroll) this device. See `allowsSignOut`. */
    allowSignOut: z.boolean().optional(),
  })
  .refine((config) => config.enrollmentToken === undefined || config.userEmail !== undefined, {
    error: 'is required with enrollmentToken: the portal enrolls a zero-touch device for a named user',
    path: ['userEmail'],
  });
export type ManagedConfig = z.infer<typeof ManagedConfig>;

export interface ManagedConfigResult {
  /** null when the browser is not managed, or when the managed config has problems. */
  config: ManagedConfig | null;
  /** One line per problem, naming the key; shown to the user so they can tell their admin. */
  problems: string[];
}

/**
 * Parses what `chrome.storage.managed.get()` returned. An unmanaged browser gives `{}` (Firefox
 * without a policy may give nothing), which is "not managed", not an error. A config with any
 * problem is not used at all: acting on part of an admin's intent (the address but not its lock)
 * is worse than asking the user to report the problem.
 */
export function parseManagedConfig(raw: unknown): ManagedConfigResult {
  if (raw === undefined || raw === null) return { config: null, problems: [] };
  if (typeof raw === 'object' && !Array.isArray(raw) && Object.keys(raw).length === 0) {
    return { config: null, problems: [] };
  }
  const result = ManagedConfig.safeParse(raw);
  if (result.success) return { config: result.data, problems: [] };
  return { config: null, problems: result.error.issues.map(describeIssue) };
}

/** Whether the user may sign out: yes unless an admin set `allowSignOut: false`. */
export function allowsSignOut(config: ManagedConfig | null): boolean {
  return config?.allowSignOut !== false;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return `unknown managed setting${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')} (misspelt?)`;
  }
  return issue.path.length === 0 ? issue.message : `${issue.path.join('.')}: ${issue.message}`;
}
