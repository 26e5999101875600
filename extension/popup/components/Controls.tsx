import { useState } from 'preact/hooks';
import type { WireError } from '../../../protocol/errors.js';
import { t } from '../../lib/i18n.js';
import type { PopupView } from '../../lib/popup-view.js';
import type { Action } from '../use-action.js';

/**
 * Sign out, turn off / on and sync. When the profile guards an action with a password (or the
 * service says one is needed), the password and one-time-code fields appear; the same values go
 * with whichever guarded action the user presses.
 */
export function Controls({ view, action }: { view: PopupView; action: Action }) {
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const passwordAsked = action.error?.code === 'PASSWORD_REQUIRED' || action.error?.code === 'PASSWORD_WRONG';
  const needsUnlock = view.signOut?.password === true || view.turnOff?.password === true || passwordAsked;
  const unlock = { ...(password ? { password } : {}), ...(code.trim() ? { code: code.trim() } : {}) };
  const busy = action.busy !== null;
  const anything = view.signOut || view.turnOff || view.turnOn || view.sync;
  return (
    <>
      {anything && needsUnlock && (
        <div class="form">
          <label class="field">
            <span>{t('unlockPasswordLabel')}</span>
            <input type="password" autocomplete="off" value={password} data-testid="unlock-password" onInput={(event) => setPassword(event.currentTarget.value)} />
          </label>
          <label class="field">
            <span>{t('unlockCodeLabel')}</span>
            <input type="text" autocomplete="one-time-code" value={code} data-testid="unlock-code" onInput={(event) => setCode(event.currentTarget.value)} />
          </label>
        </div>
      )}
      {anything && (
        <div class="actions">
          {view.turnOn && (
            <button type="button" class="button" data-testid="turn-on" disabled={busy} onClick={() => void action.run({ type: 'turn-on' })}>
              {t('turnOn')}
            </button>
          )}
          {view.turnOff && (
            <button type="button" class="button secondary" data-testid="turn-off" disabled={busy} onClick={() => void action.run({ type: 'turn-off', ...unlock })}>
              {t('turnOff')}
            </button>
          )}
          {view.sync && (
            <button type="button" class="button secondary" data-testid="sync-now" disabled={busy} onClick={() => void action.run({ type: 'sync' })}>
              {action.busy === 'sync' ? t('syncing') : t('syncNow')}
            </button>
          )}
          {view.signOut && (
            <button type="button" class="button secondary" data-testid="sign-out" disabled={busy} onClick={() => void action.run({ type: 'sign-out', ...unlock })}>
              {t('signOut')}
            </button>
          )}
        </div>
      )}
      {action.error && action.error.code !== 'UNKNOWN_METHOD' && <ActionError error={action.error} />}
    </>
  );
}

function ActionError({ error }: { error: WireError }) {
  const text = error.code === 'PASSWORD_REQUIRED' ? t('errorPasswordRequired') : error.code === 'PASSWORD_WRONG' ? t('errorPasswordWrong') : t('errorAction', error.message);
  return (
    <p class="reason error-text" role="alert" data-testid="action-error" data-code={error.code}>
      {text}
    </p>
  );
}
