/**
 * Every user-visible string in the extension goes through `t`. The English catalogue is the source
 * of truth: its keys are the only valid `MessageKey`s, and a unit test holds the other locales to
 * the same keys and placeholders.
 */
import { browser } from 'wxt/browser';

export type MessageKey = keyof typeof import('../public/_locales/en/messages.json');

/** The message for the browser's UI language; `subs` fill its `$1`…`$9` placeholders in order. */
export function t(key: MessageKey, ...subs: string[]): string {
  return browser.i18n.getMessage(key, subs);
}
