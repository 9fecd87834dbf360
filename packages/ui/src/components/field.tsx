/** A labelled form control with its own error under it (the form's check, before the master's). */
import type { ComponentChildren } from 'preact';

export function Field({ label, error, children }: { label: string; error?: string; children: ComponentChildren }) {
  return (
    <label>
      {label}
      {children}
      {error && <span class="field-error">{error}</span>}
    </label>
  );
}
