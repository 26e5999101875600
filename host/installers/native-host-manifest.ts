/**
 * The native-messaging host manifest: the JSON file a browser reads to find `waygate native` and to
 * learn which extensions may start it. Chromium-family browsers list origins (`allowed_origins`);
 * Firefox lists add-on IDs (`allowed_extensions`) — a manifest of the wrong family is rejected.
 */
import { z } from 'zod';
import { NATIVE_HOST_NAME } from '../../protocol/native.js';

export type BrowserFamily = 'chromium' | 'firefox';

export const NATIVE_HOST_DESCRIPTION = 'Waygate native messaging host';

/** The add-on ID Waygate's Firefox build declares in `browser_specific_settings.gecko.id`. */
export const DEFAULT_FIREFOX_EXTENSION_ID = 'waygate@waygate.org';

/** A Chromium extension ID: 32 letters a–p (a hash of the extension's public key). */
export const CHROMIUM_EXTENSION_ID = /^[a-p]{32}$/;

/** A Gecko add-on ID: an email-like `name@domain` or a `{GUID}`. */
export const FIREFOX_EXTENSION_ID = /^(\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}|[a-zA-Z0-9._-]*@[a-zA-Z0-9._-]+)$/;

const ManifestBase = z.object({
  name: z.literal(NATIVE_HOST_NAME),
  description: z.string(),
  path: z.string().min(1),
  type: z.literal('stdio'),
});

export const ChromiumHostManifest = ManifestBase.extend({
  allowed_origins: z.array(z.string().regex(/^chrome-extension:\/\/[a-p]{32}\/$/)).min(1),
}).strict();
export type ChromiumHostManifest = z.infer<typeof ChromiumHostManifest>;

export const FirefoxHostManifest = ManifestBase.extend({
  allowed_extensions: z.array(z.string().regex(FIREFOX_EXTENSION_ID)).min(1),
}).strict();
export type FirefoxHostManifest = z.infer<typeof FirefoxHostManifest>;

export type NativeHostManifest = ChromiumHostManifest | FirefoxHostManifest;

export interface ManifestInputs {
  /** Absolute path of the program the browser spawns. */
  hostPath: string;
  /** Chromium extension IDs allowed to connect (already validated). */
  extensionIds: readonly string[];
  /** Firefox add-on ID allowed to connect (already validated). */
  firefoxExtensionId: string;
}

export function buildManifest(family: BrowserFamily, inputs: ManifestInputs): NativeHostManifest {
  const { hostPath } = inputs;
  if (family === 'firefox') {
    return { name: NATIVE_HOST_NAME, description: NATIVE_HOST_DESCRIPTION, path: hostPath, type: 'stdio', allowed_extensions: [inputs.firefoxExtensionId] };
  }
  const allowedOrigins = inputs.extensionIds.map((id) => `chrome-extension://${id}/`);
  return { name: NATIVE_HOST_NAME, description: NATIVE_HOST_DESCRIPTION, path: hostPath, type: 'stdio', allowed_origins: allowedOrigins };
}

export function renderManifest(manifest: NativeHostManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** The file name browsers on Linux and macOS look for: the host name plus `.json`. */
export const MANIFEST_FILE_NAME = `${NATIVE_HOST_NAME}.json`;
