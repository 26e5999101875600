/**
 * A button for a change that cannot be undone (revoke, remove, disable): it opens a native modal
 * <dialog>, which traps focus and closes on Escape, and asks once more in words.
 */
import type { ComponentChildren } from 'preact';
import { useId, useRef, useState } from 'preact/hooks';

export function ConfirmButton({
  label,
  title,
  children,
  confirmLabel,
  danger,
  onConfirm,
  disabled,
}: {
  label: ComponentChildren;
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => Promise<unknown>;
  disabled?: boolean;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [busy, setBusy] = useState(false);
  const close = () => dialog.current?.close();
  return (
    <>
      <button type="button" class={`button${danger ? ' danger' : ''}`} disabled={disabled} onClick={() => dialog.current?.showModal()}>
        {label}
      </button>
      <dialog ref={dialog} class="dialog" aria-labelledby={titleId}>
        <h2 class="dialog-title" id={titleId}>{title}</h2>
        <div class="dialog-body">{children}</div>
        <div class="dialog-actions">
          <button type="button" class="button ghost" onClick={close} disabled={busy}>
            Cancel
          </button>
          <button
            type="button"
            class={`button ${danger ? 'danger solid' : 'primary'}`}
            disabled={busy}
            onClick={() => {
              setBusy(true);
              void onConfirm().finally(() => {
                setBusy(false);
                close();
              });
            }}
          >
            {confirmLabel}
          </button>
        </div>
      </dialog>
    </>
  );
}
