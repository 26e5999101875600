/**
 * What the popup shows about the device, whichever side runs it: in app mode it is taken from the
 * service's `Status`; in browser-only mode the worker computes it and stores it here. The shapes are
 * the LocalAPI's own, so both modes read the same way.
 */
import { z } from 'zod';
import { Status } from '../../protocol/localapi.js';
import { storedItem } from './stored.js';

export const DeviceSnapshot = Status.pick({ account: true, login: true, config: true, protection: true, network: true, edge: true, tunnel: true, captivePortal: true, reasons: true });
export type DeviceSnapshot = z.infer<typeof DeviceSnapshot>;

export function snapshotOfStatus(status: Status): DeviceSnapshot {
  const { account, login, config, protection, network, edge, tunnel, captivePortal, reasons } = status;
  return { account, login, config, protection, network, edge, tunnel, captivePortal, reasons };
}

/** Written by the worker in browser-only mode; null before it first ran. */
export const browserOnlySnapshotItem = storedItem('local:browserOnlySnapshot', DeviceSnapshot.nullable(), null);
