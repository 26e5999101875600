/**
 * A secret the portal hands out once (a password, an enrollment token, a disable code): shown with
 * a copy button and a plain warning, because only its hash is kept and it cannot be shown again.
 */
import { useRef, useState } from 'preact/hooks';
import { Icon } from './Icon.js';

export function OneTimeSecret({ label, value, hint, onDone, testId }: { label: string; value: string; hint?: string; onDone?: () => void; testId?: string }) {
  const [copied, setCopied] = useState<'copied' | 'selected' | null>(null);
  const code = useRef<HTMLElement>(null);

  // The clipboard API exists only on secure origins (https, localhost); elsewhere the code is
  // selected so Ctrl+C copies it.
  const copy = () => {
    if (typeof navigator.clipboard?.writeText === 'function') {
      navigator.clipboard.writeText(value).then(
        () => setCopied('copied'),
        () => select(),
      );
    } else {
      select();
    }
  };
  const select = () => {
    const el = code.current;
    const selection = getSelection();
    if (!el || !selection) return;
    selection.selectAllChildren(el);
    setCopied('selected');
  };
  return (
    <div class="secret" role="region" aria-label={label}>
      <p class="secret-label">{label}</p>
      <div class="secret-row">
        <code class="secret-value" data-testid={testId} ref={code}>
          {value}
        </code>
        <button type="button" class="button" onClick={copy}>
          <Icon name={copied === 'copied' ? 'check' : 'copy'} size={16} />
          {copied === 'copied' ? 'Copied' : copied === 'selected' ? 'Selected: press Ctrl+C' : 'Copy'}
        </button>
      </div>
      <p class="secret-warning">
        <Icon name="alert" size={16} />
        {hint ?? 'Copy it now: it is shown only once and cannot be retrieved later.'}
      </p>
      {onDone && (
        <button type="button" class="button ghost" onClick={onDone}>
          Done
        </button>
      )}
    </div>
  );
}
