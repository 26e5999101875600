import { useState } from 'preact/hooks';
import { t } from '../../lib/i18n.js';
import type { PopupView } from '../../lib/popup-view.js';
import type { Action } from '../use-action.js';

/** The portal address (unless the administrator fixed it) and the Sign in button. */
export function SignIn({ signIn, action }: { signIn: NonNullable<PopupView['signIn']>; action: Action }) {
  const [portalUrl, setPortalUrl] = useState(signIn.portalUrl);
  const [edited, setEdited] = useState(false);
  const submit = (event: Event) => {
    event.preventDefault();
    // An untouched field leaves the choice to the worker: the app keeps the portal it was set up with.
    void action.run(edited ? { type: 'sign-in', portalUrl } : { type: 'sign-in' });
  };
  return (
    <form class="form" onSubmit={submit}>
      {signIn.portalField === 'editable' ? (
        <label class="field">
          <span>{t('portalUrlLabel')}</span>
          <input
            type="url"
            required
            value={portalUrl}
            data-testid="portal-url"
            onInput={(event) => {
              setPortalUrl(event.currentTarget.value);
              setEdited(true);
            }}
          />
        </label>
      ) : (
        <p class="reason" data-testid="portal-url-locked">
          {t('portalUrlManaged', signIn.portalUrl)}
        </p>
      )}
      <button type="submit" class="button" data-testid="sign-in" disabled={action.busy !== null}>
        {action.busy === 'sign-in' ? t('signingIn') : t('signIn')}
      </button>
    </form>
  );
}
