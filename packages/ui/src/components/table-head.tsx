/**
 * A table's header row; a column named '' is labelled for screen readers only (`hidden`: its spoken name);
 * `{ num: label }` heads a right-aligned number column (its cells carry `class="num"`).
 */
export type Column = string | { hidden: string } | { num: string };

export function TableHead({ columns }: { columns: readonly Column[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c) =>
          typeof c === 'string' ? (
            <th key={c} scope="col">
              {c}
            </th>
          ) : 'num' in c ? (
            <th key={c.num} scope="col" class="num">
              {c.num}
            </th>
          ) : (
            <th key={c.hidden} scope="col">
              <span class="visually-hidden">{c.hidden}</span>
            </th>
          ),
        )}
      </tr>
    </thead>
  );
}
