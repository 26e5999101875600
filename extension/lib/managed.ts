/**
 * The administrator's managed settings (`storage.managed`) as the worker last read them, kept in
 * local storage so the popup gets them at once (the first managed read after launch is slow).
 */
import { z } from 'zod';
import { ManagedConfig } from '../../protocol/managed-config.js';
import { storedItem } from './stored.js';

export const ManagedState = z.object({ config: ManagedConfig.nullable(), problems: z.array(z.string()) });
export type ManagedState = z.infer<typeof ManagedState>;

export const managedItem = storedItem('local:managed', ManagedState, { config: null, problems: [] });

/** The portal the user last chose in the popup; the field starts from it. */
export const lastPortalUrlItem = storedItem('local:lastPortalUrl', z.string().nullable(), null);

/** The local demo portal (`npm start`), the field's value when nothing else says. */
export const DEFAULT_PORTAL_URL = 'http://127.0.0.1:8400';
