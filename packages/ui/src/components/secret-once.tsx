/** A secret the master shows once (a signing secret, a token): to copy now, gone when the user says done. */
import type { ComponentChildren } from 'preact';

export function SecretOnce(props: {
  secret: string | undefined;
  label: string;
  children: ComponentChildren;
  onDone(): void;
}) {
  if (props.secret === undefined) return null;
  return (
    <div class="card secret-once" role="status">
      <p>{props.children}</p>
      <input class="secret" readOnly value={props.secret} aria-label={props.label} />
      <button type="button" class="secondary" onClick={props.onDone}>
        Done
      </button>
    </div>
  );
}
