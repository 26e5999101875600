import type { ComponentChildren } from 'preact';

/** A header cell: `num` right-aligns it to sit over numbers; `srOnly` names a column (such as row buttons) only for screen readers. */
export interface Column {
  label: string;
  num?: boolean;
  srOnly?: boolean;
}

/** The column of per-row buttons: it has no visible heading, but every column needs a name. */
export const ACTIONS_COLUMN: Column = { label: 'Actions', srOnly: true };

/** The console's list table: scrolls sideways inside its card on narrow screens; the caller supplies the rows. */
export function DataTable({ testId, columns, children }: { testId?: string; columns: (string | Column)[]; children: ComponentChildren }) {
  return (
    <div class="table-wrap">
      <table class="data-table" data-testid={testId}>
        <thead>
          <tr>
            {columns.map((c) => {
              const col = typeof c === 'string' ? { label: c } : c;
              return (
                <th key={col.label} scope="col" class={col.num ? 'num' : undefined}>
                  {col.srOnly ? <span class="sr-only">{col.label}</span> : col.label}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
