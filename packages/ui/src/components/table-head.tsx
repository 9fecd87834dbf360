/** A table's header row: a column is its label, or `{ label, num: true }` for a right-aligned number; false: left out. */
export type Column = string | { label: string; num: true };

export function TableHead({ cols }: { cols: readonly (Column | false)[] }) {
  return (
    <thead>
      <tr>
        {cols.map((c) =>
          c === false ? null : typeof c === 'string' ? (
            <th scope="col" key={c}>
              {c}
            </th>
          ) : (
            <th scope="col" class="num" key={c.label}>
              {c.label}
            </th>
          ),
        )}
      </tr>
    </thead>
  );
}

/** A right-aligned number column. */
export const num = (label: string): Column => ({ label, num: true });
