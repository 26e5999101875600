import { t } from '../../lib/i18n.js';
import type { PopupView } from '../../lib/popup-view.js';
import type { Action } from '../use-action.js';
import { CaptivePortal } from './CaptivePortal.js';
import { Controls } from './Controls.js';
import { DeviceFacts } from './DeviceFacts.js';
import { LoginProgress } from './LoginProgress.js';
import { SignIn } from './SignIn.js';

/** What protection is doing, who the device is, and what the user can do about it. */
export function ProtectionCard({ view, action }: { view: PopupView; action: Action }) {
  const { protection } = view;
  return (
    <section class={`status tone-${protection.tone}`} aria-labelledby="protection-state">
      <div role="status" aria-live="polite">
        <h2 id="protection-state" class="status-title" data-testid="protection-state" data-state={protection.look} data-mode={view.mode}>
          <span class="indicator" aria-hidden="true" />
          {t(protection.title)}
        </h2>
        {protection.overridden !== null && (
          <p class="reason warning" data-testid="protection-overridden">
            {t(protection.overridden)}
          </p>
        )}
        {protection.reason !== null && (
          <p class="reason" data-testid="protection-reason">
            {protection.reason}
          </p>
        )}
      </div>
      {view.captivePortal && <CaptivePortal portal={view.captivePortal} />}
      {view.facts.length > 0 && <DeviceFacts facts={view.facts} />}
      {view.managedProblems.length > 0 && (
        <div class="reason warning" data-testid="managed-problems">
          <p>{t('managedProblems')}</p>
          <ul>
            {view.managedProblems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        </div>
      )}
      {view.login && <LoginProgress login={view.login} action={action} />}
      {view.signIn && <SignIn signIn={view.signIn} action={action} />}
      {view.syncError !== null && (
        <p class="reason" data-testid="sync-error">
          {t('syncFailed', view.syncError)}
        </p>
      )}
      <Controls view={view} action={action} />
    </section>
  );
}
