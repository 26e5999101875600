/**
 * Reads the administrator's managed settings (`storage.managed`) and keeps the parsed result where
 * the popup can read it. The first read after launch can take seconds, and an extension without a
 * managed schema or policy gets an error or `{}`: every outcome is tolerated.
 */
import { browser } from 'wxt/browser';
import { parseManagedConfig } from '../../protocol/managed-config.js';
import { managedItem, type ManagedState } from '../lib/managed.js';

export async function readManaged(): Promise<ManagedState> {
  let raw: unknown;
  try {
    raw = await browser.storage.managed.get(null);
  } catch {
    raw = undefined;
  }
  const state = parseManagedConfig(raw);
  await managedItem.set(state);
  return state;
}
