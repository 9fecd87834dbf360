/** A select's options from a list of values (each its own label), after an optional first choice. */
export function Options({ values, first }: { values: readonly string[]; first?: [value: string, label: string] }) {
  return (
    <>
      {first && <option value={first[0]}>{first[1]}</option>}
      {values.map((v) => (
        <option key={v} value={v}>
          {v}
        </option>
      ))}
    </>
  );
}
