/**
 * What the worker applied to the browser's proxy setting and whether it is in force. The worker is
 * the only writer; the popup and the badge read it. The edge token lives apart, in session storage
 * (memory only, never written to disk), and only the worker reads it.
 */
import { z } from 'zod';
import { LevelOfControl, OverriddenBy } from './proxy-control.js';
import { storedItem } from './stored.js';

/** Which side computed the setting: the Waygate app's service, or this extension in browser-only mode. */
export const ProxySource = z.enum(['app', 'browser-only']);
export type ProxySource = z.infer<typeof ProxySource>;

export const AppliedProxy = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('pac'), source: ProxySource, pacScript: z.string(), digest: z.string(), authHosts: z.array(z.string()) }),
  z.object({ mode: z.literal('release'), source: ProxySource }),
]);
export type AppliedProxy = z.infer<typeof AppliedProxy>;

export const ProxyControl = z.object({
  wanted: z.enum(['pac', 'release']).nullable(),
  level: LevelOfControl.nullable(),
  overridden: OverriddenBy.nullable(),
  /** The browser's words when setting the proxy failed. */
  error: z.string().nullable(),
});
export type ProxyControl = z.infer<typeof ProxyControl>;

export const EdgeCredentials = z.object({ username: z.string(), token: z.string(), expiresAt: z.string() });
export type EdgeCredentials = z.infer<typeof EdgeCredentials>;

export const NO_CONTROL: ProxyControl = { wanted: null, level: null, overridden: null, error: null };

export const appliedProxyItem = storedItem('local:appliedProxy', AppliedProxy.nullable(), null);
export const proxyControlItem = storedItem('local:proxyControl', ProxyControl, NO_CONTROL);
export const edgeCredentialsItem = storedItem('session:edgeCredentials', EdgeCredentials.nullable(), null);
