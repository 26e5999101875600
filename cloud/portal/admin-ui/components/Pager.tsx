/** Newer / older page buttons for lists read newest first (the audit log). */
export function Pager({ page, hasOlder, onNewer, onOlder, busy }: { page: number; hasOlder: boolean; onNewer: () => void; onOlder: () => void; busy?: boolean }) {
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" class="button" disabled={page === 0 || busy} onClick={onNewer}>
        ← Newer
      </button>
      <span class="pager-page">Page {page + 1}</span>
      <button type="button" class="button" disabled={!hasOlder || busy} onClick={onOlder}>
        Older →
      </button>
    </nav>
  );
}
