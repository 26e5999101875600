/** The browser-only store on extension storage (see state.ts for what lives where and why). */
import { z } from 'zod';
import { browserOnlySnapshotItem } from '../../lib/device-state.js';
import { storedItem } from '../../lib/stored.js';
import { EdgeToken, Enrollment, NEVER_SYNCED, PendingLogin, StoredConfig, SyncState, type BrowserOnlyStore } from './state.js';

export function extensionBrowserOnlyStore(): BrowserOnlyStore {
  return {
    enrollment: storedItem('local:bo.enrollment', Enrollment.nullable(), null),
    config: storedItem('local:bo.config', StoredConfig.nullable(), null),
    sync: storedItem('local:bo.sync', SyncState, NEVER_SYNCED),
    login: storedItem('local:bo.login', PendingLogin.nullable(), null),
    token: storedItem('session:bo.token', EdgeToken.nullable(), null),
    disabledUntil: storedItem('local:bo.disabledUntil', z.number().nullable(), null),
    snapshot: browserOnlySnapshotItem,
  };
}
