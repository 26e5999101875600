/**
 * The outcome of every admin change, said out loud: successes in a polite live region that fades
 * after a few seconds, failures in an assertive one that stays until dismissed (a failure the admin
 * missed is a change they think happened).
 */
import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useMemo, useRef, useState } from 'preact/hooks';
import { Icon } from './Icon.js';

export type NoticeKind = 'success' | 'error';

interface Notice {
  id: number;
  kind: NoticeKind;
  text: string;
}

type Notify = (kind: NoticeKind, text: string) => void;

const NoticeContext = createContext<Notify>(() => undefined);

export function useNotify(): Notify {
  return useContext(NoticeContext);
}

const SUCCESS_MS = 5000;
/** More than this at once is a wall; the oldest make way. */
const MAX_SHOWN = 3;

export function NoticeProvider({ children }: { children: ComponentChildren }) {
  const [notices, setNotices] = useState<Notice[]>([]);
  const nextId = useRef(1);
  const dismiss = useCallback((id: number) => setNotices((all) => all.filter((n) => n.id !== id)), []);
  const notify = useCallback<Notify>(
    (kind, text) => {
      const id = nextId.current++;
      setNotices((all) => [...all.slice(1 - MAX_SHOWN), { id, kind, text }]);
      if (kind === 'success') setTimeout(() => dismiss(id), SUCCESS_MS);
    },
    [dismiss],
  );
  const value = useMemo(() => notify, [notify]);
  return (
    <NoticeContext.Provider value={value}>
      {children}
      <div class="notices">
        <div role="status" aria-live="polite" class="notice-stack">
          {notices.filter((n) => n.kind === 'success').map((n) => <NoticeItem key={n.id} notice={n} onDismiss={dismiss} />)}
        </div>
        <div role="alert" aria-live="assertive" class="notice-stack">
          {notices.filter((n) => n.kind === 'error').map((n) => <NoticeItem key={n.id} notice={n} onDismiss={dismiss} />)}
        </div>
      </div>
    </NoticeContext.Provider>
  );
}

function NoticeItem({ notice, onDismiss }: { notice: Notice; onDismiss: (id: number) => void }) {
  return (
    <div class={`notice notice-${notice.kind}`} data-testid={`notice-${notice.kind}`}>
      <Icon name={notice.kind === 'success' ? 'check' : 'alert'} />
      <p>{notice.text}</p>
      <button type="button" class="icon-button" aria-label="Dismiss" onClick={() => onDismiss(notice.id)}>
        <Icon name="close" size={16} />
      </button>
    </div>
  );
}
