/**
 * A column header that sorts its table: a button inside the <th>, with aria-sort on the header so
 * screen readers announce the order.
 */
export type SortDir = 'asc' | 'desc';

export interface Sort<K extends string> {
  key: K;
  dir: SortDir;
}

export function SortHeader<K extends string>({ label, column, sort, onSort, numeric }: { label: string; column: K; sort: Sort<K>; onSort: (s: Sort<K>) => void; numeric?: boolean }) {
  const active = sort.key === column;
  const next: SortDir = active && sort.dir === 'asc' ? 'desc' : 'asc';
  return (
    <th scope="col" class={numeric ? 'num' : undefined} aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button type="button" class="sort-button" onClick={() => onSort({ key: column, dir: next })}>
        {label}
        <span class={`sort-arrow${active ? ' active' : ''}`} aria-hidden="true">
          {active && sort.dir === 'desc' ? '↓' : '↑'}
        </span>
      </button>
    </th>
  );
}
