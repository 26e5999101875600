/** Full-screen pages shown instead of the console: not an admin, or the portal could not be asked. */
import { useEffect } from 'preact/hooks';
import type { SessionUser } from '../../../../protocol/portal-admin.js';
import { Icon } from '../components/Icon.js';

export function AdminsOnly({ user }: { user: SessionUser }) {
  useEffect(() => {
    document.title = 'Admins only · Waygate';
  }, []);
  return (
    <main class="splash">
      <div class="splash-card card" data-testid="admins-only">
        <span class="splash-icon" aria-hidden="true">
          <Icon name="policy" size={26} />
        </span>
        <h1>This console is for admins</h1>
        <p>
          You are signed in as {user.name} ({user.email}), who is not an admin of this organisation. Ask an admin to change your role, or sign in
          with an admin account.
        </p>
        <a class="button primary" href="/auth/sign-in">
          Account and sign-out
        </a>
      </div>
    </main>
  );
}

export function StartupFailed({ error, onRetry }: { error: Error; onRetry: () => void }) {
  return (
    <main class="splash">
      <div class="splash-card card" role="alert">
        <span class="splash-icon" aria-hidden="true">
          <Icon name="alert" size={26} />
        </span>
        <h1>The console could not start</h1>
        <p>{error.message}</p>
        <button type="button" class="button primary" onClick={onRetry}>
          Try again
        </button>
      </div>
    </main>
  );
}
