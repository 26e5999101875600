/**
 * The console shell. Startup: ask the portal who is signed in; nobody → the sign-in page (coming
 * back here afterwards); a non-admin → a page that says this console is for admins; an admin → the
 * sidebar and the page the address names.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { SessionInfo } from '../../../../protocol/portal-admin.js';
import { createAdminApi, loadSession } from '../api.js';
import { ConsoleContext } from '../console-context.js';
import { section } from '../routes.js';
import { signInUrl } from '../sign-in.js';
import { useRoute } from '../use-route.js';
import { AdminsOnly, StartupFailed } from '../pages/Splash.js';
import { NoticeProvider } from './Notices.js';
import { PageView } from './PageView.js';
import { Sidebar } from './Sidebar.js';

type Boot = { state: 'loading' } | { state: 'signed-out' } | { state: 'ready'; session: SessionInfo } | { state: 'failed'; error: Error };

function goSignIn(): void {
  location.assign(signInUrl(location.pathname, location.search));
}

export function App() {
  const [boot, setBoot] = useState<Boot>({ state: 'loading' });
  const load = () => {
    setBoot({ state: 'loading' });
    loadSession().then(
      (session) => {
        if (session) return setBoot({ state: 'ready', session });
        setBoot({ state: 'signed-out' });
        goSignIn();
      },
      (err: unknown) => setBoot({ state: 'failed', error: err instanceof Error ? err : new Error(String(err)) }),
    );
  };
  useEffect(load, []);

  if (boot.state === 'loading' || boot.state === 'signed-out') return <div class="splash" aria-busy="true" />;
  if (boot.state === 'failed') return <StartupFailed error={boot.error} onRetry={load} />;
  if (boot.session.user.role !== 'admin') return <AdminsOnly user={boot.session.user} />;
  return (
    <NoticeProvider>
      <Console session={boot.session} />
    </NoticeProvider>
  );
}

function Console({ session }: { session: SessionInfo }) {
  const route = useRoute();
  const api = useMemo(() => createAdminApi({ csrfToken: session.csrfToken, onUnauthenticated: goSignIn }), [session.csrfToken]);
  const value = useMemo(() => ({ api, session }), [api, session]);
  const first = useRef(true);

  // After a navigation, start keyboard and screen-reader users at the new page's heading.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById('page-title')?.focus();
    window.scrollTo(0, 0);
  }, [route]);

  const signOut = () => {
    // Wherever sign-out ends up, the sign-in page is where to go next.
    void api.signOut().then(
      () => location.assign('/auth/sign-in'),
      () => location.assign('/auth/sign-in'),
    );
  };

  return (
    <ConsoleContext.Provider value={value}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <div class="shell">
        <Sidebar current={section(route)} user={session.user} onSignOut={signOut} />
        <main class="main" id="main" tabIndex={-1}>
          <div class="content">
            <PageView route={route} />
          </div>
        </main>
      </div>
    </ConsoleContext.Provider>
  );
}
