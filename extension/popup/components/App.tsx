import { linkView } from '../../lib/link-view.js';
import { useHostLink } from '../use-host-link.js';
import { useNow } from '../use-now.js';
import { Header } from './Header.js';
import { LinkStatus } from './LinkStatus.js';

export function App() {
  const link = useHostLink();
  const now = useNow(link?.state === 'disconnected');
  return (
    <main class="popup">
      <Header />
      <LinkStatus view={link && linkView(link, now)} />
    </main>
  );
}
