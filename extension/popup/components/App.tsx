import { readHostLink, watchHostLink } from '../../lib/connection-state.js';
import { browserOnlySnapshotItem } from '../../lib/device-state.js';
import { linkView } from '../../lib/link-view.js';
import { lastPortalUrlItem, managedItem } from '../../lib/managed.js';
import { popupView } from '../../lib/popup-view.js';
import { NO_CONTROL, proxyControlItem } from '../../lib/proxy-state.js';
import type { StoredItem } from '../../lib/stored.js';
import type { HostLink } from '../../lib/connection-state.js';
import { useAction } from '../use-action.js';
import { useNow } from '../use-now.js';
import { useStored } from '../use-stored.js';
import { Explain } from './Explain.js';
import { Header } from './Header.js';
import { LinkStatus } from './LinkStatus.js';
import { ModeNote } from './ModeNote.js';
import { ProtectionCard } from './ProtectionCard.js';
import { TunnelCard } from './TunnelCard.js';

const hostLinkItem: StoredItem<HostLink> = { get: readHostLink, set: () => Promise.resolve(), watch: watchHostLink };

export function App() {
  const link = useStored(hostLinkItem);
  const browserOnly = useStored(browserOnlySnapshotItem);
  const control = useStored(proxyControlItem);
  const managed = useStored(managedItem);
  const lastPortalUrl = useStored(lastPortalUrlItem);
  const action = useAction();
  const now = useNow(link?.state === 'disconnected');
  const view =
    link && managed
      ? popupView({ link, browserOnly, control: control ?? NO_CONTROL, managed, lastPortalUrl })
      : null;
  return (
    <main class="popup">
      <Header />
      {view && view.mode !== 'unknown' && <ProtectionCard view={view} action={action} />}
      {view?.tunnel && <TunnelCard tunnel={view.tunnel} />}
      {view?.explain === 'available' && <Explain action={action} />}
      {view?.mode === 'browser-only' && <ModeNote adds={view.otherModeAdds} />}
      <LinkStatus view={link && linkView(link, now)} />
    </main>
  );
}
