import { browser } from 'wxt/browser';
import { t } from '../../lib/i18n.js';
import type { PopupView } from '../../lib/popup-view.js';
import type { Action } from '../use-action.js';

/** The code to check in the portal and a way back to the verification page; or why sign-in failed. */
export function LoginProgress({ login, action }: { login: NonNullable<PopupView['login']>; action: Action }) {
  if (login.state === 'failed') {
    return (
      <p class="reason warning" data-testid="login-failed">
        {t('loginFailed', login.message)}
      </p>
    );
  }
  const open = (event: Event) => {
    event.preventDefault();
    void browser.tabs.create({ url: login.url });
  };
  return (
    <div class="login" data-testid="login-waiting">
      <p>{t('loginWaiting')}</p>
      <p class="user-code" data-testid="login-user-code">
        {login.userCode}
      </p>
      <div class="login-links">
        <a class="link" href={login.url} target="_blank" rel="noreferrer" data-testid="login-open" onClick={open}>
          {t('loginOpenPage')}
        </a>
        {login.cancellable && (
          <button type="button" class="button secondary" data-testid="cancel-sign-in" disabled={action.busy !== null} onClick={() => void action.run({ type: 'cancel-sign-in' })}>
            {t('cancelSignIn')}
          </button>
        )}
      </div>
    </div>
  );
}
