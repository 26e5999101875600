/**
 * Where each supported browser looks for native-messaging host manifests, per OS and scope. Data
 * only: plan.ts turns it into paths and registry keys.
 *
 * Sources, and why some entries are not what one might guess:
 * - Chrome, Chromium: developer.chrome.com "Native messaging" (host location), confirmed in Chromium's
 *   `chrome/common/chrome_paths.cc` (`DIR_NATIVE_MESSAGING` is the system dir, which depends only on
 *   branding; `DIR_USER_NATIVE_MESSAGING` is `<user data dir>/NativeMessagingHosts`) and
 *   `native_process_launcher_win.cc` (Windows reads only `SOFTWARE\Chromium\NativeMessagingHosts` in
 *   Chromium-branded builds, then `SOFTWARE\Google\Chrome\NativeMessagingHosts`).
 * - Edge: learn.microsoft.com "Native messaging" (Edge reads its own key first, then Chromium's and
 *   Chrome's).
 * - Firefox: MDN "Native manifests" (manifest location).
 * - Brave: not documented by Brave. brave-core does not override `DIR_NATIVE_MESSAGING` or the Windows
 *   launcher and is not Chrome-branded, so it uses Chromium's system dirs and registry lookup; its user
 *   data dir is `$XDG_CONFIG_HOME/BraveSoftware/Brave-Browser` (brave-core `chrome_paths_linux.cc`).
 *   A key under `Software\BraveSoftware\...` is never read.
 * - Vivaldi: not documented by Vivaldi and its source is not at hand. User dirs are its user data dir
 *   (widely reported); system dirs assume Chromium's defaults; Windows uses Chrome's key, which every
 *   Chromium-based browser reads whatever its branding.
 *
 * Several browsers share a system dir or registry key; plan.ts writes a shared target once and removes
 * it only when every browser that reads it is being uninstalled.
 */
import { z } from 'zod';
import type { BrowserFamily } from './native-host-manifest.js';

export const BrowserId = z.enum(['chrome', 'chromium', 'edge', 'brave', 'vivaldi', 'firefox']);
export type BrowserId = z.infer<typeof BrowserId>;

export const ALL_BROWSERS: readonly BrowserId[] = BrowserId.options;

/** A per-user directory: path segments under the user's home or under `$XDG_CONFIG_HOME`. */
export interface UserDir {
  base: 'home' | 'xdgConfig';
  segments: readonly string[];
}

export interface BrowserLocations {
  name: string;
  family: BrowserFamily;
  linux: { user: UserDir; system: string };
  darwin: { user: UserDir; system: string };
  /** Key under HKCU (user) or HKLM (system) that holds one subkey per host name. */
  win32: { registryKey: string };
}

const APP_SUPPORT = ['Library', 'Application Support'];
const CHROME_REGISTRY_KEY = 'Software\\Google\\Chrome\\NativeMessagingHosts';
const CHROMIUM_LINUX_SYSTEM = '/etc/chromium/native-messaging-hosts';
const CHROMIUM_DARWIN_SYSTEM = '/Library/Application Support/Chromium/NativeMessagingHosts';

export const BROWSERS: Readonly<Record<BrowserId, BrowserLocations>> = {
  chrome: {
    name: 'Google Chrome',
    family: 'chromium',
    linux: {
      user: { base: 'xdgConfig', segments: ['google-chrome', 'NativeMessagingHosts'] },
      system: '/etc/opt/chrome/native-messaging-hosts',
    },
    darwin: {
      user: { base: 'home', segments: [...APP_SUPPORT, 'Google', 'Chrome', 'NativeMessagingHosts'] },
      system: '/Library/Google/Chrome/NativeMessagingHosts',
    },
    win32: { registryKey: CHROME_REGISTRY_KEY },
  },
  chromium: {
    name: 'Chromium',
    family: 'chromium',
    linux: {
      user: { base: 'xdgConfig', segments: ['chromium', 'NativeMessagingHosts'] },
      system: CHROMIUM_LINUX_SYSTEM,
    },
    darwin: {
      user: { base: 'home', segments: [...APP_SUPPORT, 'Chromium', 'NativeMessagingHosts'] },
      system: CHROMIUM_DARWIN_SYSTEM,
    },
    win32: { registryKey: 'Software\\Chromium\\NativeMessagingHosts' },
  },
  edge: {
    name: 'Microsoft Edge',
    family: 'chromium',
    linux: {
      user: { base: 'xdgConfig', segments: ['microsoft-edge', 'NativeMessagingHosts'] },
      system: '/etc/opt/edge/native-messaging-hosts',
    },
    darwin: {
      user: { base: 'home', segments: [...APP_SUPPORT, 'Microsoft Edge', 'NativeMessagingHosts'] },
      system: '/Library/Microsoft/Edge/NativeMessagingHosts',
    },
    win32: { registryKey: 'Software\\Microsoft\\Edge\\NativeMessagingHosts' },
  },
  brave: {
    name: 'Brave',
    family: 'chromium',
    linux: {
      user: { base: 'xdgConfig', segments: ['BraveSoftware', 'Brave-Browser', 'NativeMessagingHosts'] },
      system: CHROMIUM_LINUX_SYSTEM,
    },
    darwin: {
      user: { base: 'home', segments: [...APP_SUPPORT, 'BraveSoftware', 'Brave-Browser', 'NativeMessagingHosts'] },
      system: CHROMIUM_DARWIN_SYSTEM,
    },
    win32: { registryKey: CHROME_REGISTRY_KEY },
  },
  vivaldi: {
    name: 'Vivaldi',
    family: 'chromium',
    linux: {
      user: { base: 'xdgConfig', segments: ['vivaldi', 'NativeMessagingHosts'] },
      system: CHROMIUM_LINUX_SYSTEM,
    },
    darwin: {
      user: { base: 'home', segments: [...APP_SUPPORT, 'Vivaldi', 'NativeMessagingHosts'] },
      system: CHROMIUM_DARWIN_SYSTEM,
    },
    win32: { registryKey: CHROME_REGISTRY_KEY },
  },
  firefox: {
    name: 'Firefox',
    family: 'firefox',
    linux: {
      user: { base: 'home', segments: ['.mozilla', 'native-messaging-hosts'] },
      system: '/usr/lib/mozilla/native-messaging-hosts',
    },
    darwin: {
      user: { base: 'home', segments: [...APP_SUPPORT, 'Mozilla', 'NativeMessagingHosts'] },
      system: '/Library/Application Support/Mozilla/NativeMessagingHosts',
    },
    win32: { registryKey: 'Software\\Mozilla\\NativeMessagingHosts' },
  },
};
