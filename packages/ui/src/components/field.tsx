/** A labelled form control with its own error under it (the form's check, before the master's). */
import type { ComponentChildren } from 'preact';
import type { Bound } from './use-form.js';

export function Field({ label, error, children }: { label: string; error?: string; children: ComponentChildren }) {
  return (
    <label>
      {label}
      {children}
      {error && <span class="field-error">{error}</span>}
    </label>
  );
}

/** A labelled text input bound to one field of a form (`useForm().bind(key)`), marked invalid with its error. */
export interface TextOptions {
  /** A password-like value: not shown as typed. */
  secret?: boolean;
  inputMode?: 'numeric' | 'decimal';
  placeholder?: string;
  maxLength?: number;
}

export function TextField(props: Bound & TextOptions & { label: string }) {
  const { label, error, onValue, secret, ...rest } = props;
  const input = {
    ...rest,
    'aria-invalid': error !== undefined,
    onInput: (e: { currentTarget: HTMLInputElement }) => onValue(e.currentTarget.value),
  };
  return (
    <Field label={label} error={error}>
      {secret ? <input type="password" autoComplete="new-password" {...input} /> : <input {...input} />}
    </Field>
  );
}
