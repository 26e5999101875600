/**
 * A plain-text editor for JSON with line numbers: a <textarea> (so undo, selection, search and
 * assistive technology work as everywhere) beside a gutter that scrolls with it. Lines never wrap,
 * so gutter line n is text line n. Lines with a problem are marked in the gutter, and `jump`
 * moves the caret to a line (from the list of errors).
 */
import { useEffect, useMemo, useRef } from 'preact/hooks';

export interface Jump {
  line: number;
  /** Changes on every request, so jumping to the same line twice works. */
  seq: number;
}

export function CodeEditor({
  value,
  onInput,
  label,
  errorLines,
  jump,
  readOnly,
  describedBy,
}: {
  value: string;
  onInput: (text: string) => void;
  label: string;
  errorLines: ReadonlySet<number>;
  jump?: Jump | null;
  readOnly?: boolean;
  describedBy?: string;
}) {
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const lineCount = useMemo(() => value.split('\n').length, [value]);

  useEffect(() => {
    const el = area.current;
    if (!jump || !el) return;
    const lines = el.value.split('\n');
    const start = lines.slice(0, jump.line - 1).reduce((n, l) => n + l.length + 1, 0);
    const end = start + (lines[jump.line - 1]?.length ?? 0);
    el.focus();
    el.setSelectionRange(start, end);
    // Centre the line: the caret alone would leave it at the very edge.
    const lineHeight = parseFloat(getComputedStyle(el).lineHeight) || 20;
    el.scrollTop = Math.max(0, (jump.line - 1) * lineHeight - el.clientHeight / 2);
  }, [jump]);

  const syncScroll = () => {
    if (gutter.current && area.current) gutter.current.scrollTop = area.current.scrollTop;
  };

  return (
    <div class="code-editor">
      <div class="code-gutter" ref={gutter} aria-hidden="true">
        {Array.from({ length: lineCount }, (_, i) => (
          <div key={i} class={errorLines.has(i + 1) ? 'gutter-line error' : 'gutter-line'}>
            {i + 1}
          </div>
        ))}
        <div class="gutter-pad" />
      </div>
      <textarea
        ref={area}
        class="code-text"
        aria-label={label}
        aria-describedby={describedBy}
        spellcheck={false}
        autocomplete="off"
        autocapitalize="off"
        wrap="off"
        readOnly={readOnly}
        value={value}
        onInput={(e) => onInput(e.currentTarget.value)}
        onScroll={syncScroll}
        data-testid="policy-editor"
      />
    </div>
  );
}
