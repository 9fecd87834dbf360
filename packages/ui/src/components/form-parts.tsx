/** Small parts every form repeats: a labelled checkbox, and the submit and cancel buttons. */
export function Check(props: { name: string; label: string; checked: boolean; onChange(checked: boolean): void }) {
  return (
    <label class="check">
      <input
        type="checkbox"
        name={props.name}
        checked={props.checked}
        onChange={(e) => props.onChange(e.currentTarget.checked)}
      />
      {props.label}
    </label>
  );
}

export function FormActions(props: { submit: string; busy?: boolean; onCancel?: () => void }) {
  return (
    <div class="form-actions">
      <button type="submit" disabled={props.busy}>
        {props.submit}
      </button>
      {props.onCancel && (
        <button type="button" class="secondary" onClick={props.onCancel}>
          Cancel
        </button>
      )}
    </div>
  );
}
