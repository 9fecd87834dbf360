/**
 * The buttons of a row that sends somewhere (an alert channel, a webhook): its delivery log for readers; edit, send
 * a test (then its log opens, read again) and delete (confirmed) for those who may configure it.
 */
import { useState } from 'preact/hooks';
import type { DeliveryPage } from '@scrapyard/protocol';
import { ConfirmButton } from '../../components/confirm-button.js';
import { SecretOnce } from '../../components/secret-once.js';
import { DeliveryLog } from './delivery-log.js';

/**
 * The editor a section has open (`editing` undefined: none; null: a new one; else the one edited), and the signing
 * secret its save answered, shown once (`secretOnce`); a save closes the editor and reloads the list.
 */
export function useTargetEditor<T extends { id: string }>(what: string, reload: () => void) {
  const [editing, setEditing] = useState<T | null | undefined>(undefined);
  const [secret, setSecret] = useState<string | undefined>(undefined);
  return {
    editing,
    key: editing?.id ?? 'new',
    open: (t: T | null) => setEditing(t),
    close: () => setEditing(undefined),
    saved: (signingSecret: string | undefined) => {
      setEditing(undefined);
      setSecret(signingSecret);
      reload();
    },
    secretOnce: (
      <SecretOnce secret={secret} label="The signing secret" onDone={() => setSecret(undefined)}>
        The {what}'s signing secret: copy it now, it is shown only once.
      </SecretOnce>
    ),
  };
}

/** Which row's log is open, and how many tests were sent (each one reads the open log again). */
export function useOpenLog() {
  const [open, setOpen] = useState<string | undefined>(undefined);
  const [sent, setSent] = useState(0);
  return {
    open,
    toggle: (id: string) => setOpen((o) => (o === id ? undefined : id)),
    tested: (id: string) => {
      setOpen(id);
      setSent((n) => n + 1);
    },
    /** The open log, if its row is still listed. */
    log: (ids: readonly string[], load: (id: string) => Promise<DeliveryPage>, empty: string) =>
      open !== undefined && ids.includes(open) ? (
        <DeliveryLog key={`${open}-${sent}`} load={() => load(open)} empty={empty} />
      ) : null,
  };
}

export function TargetActions(props: {
  name: string;
  logOpen: boolean;
  onLog(): void;
  mayConfigure: boolean;
  onEdit(): void;
  onTest(): void;
  onDelete(): Promise<void>;
}) {
  return (
    <span class="row-actions">
      <button type="button" class="secondary" aria-expanded={props.logOpen} onClick={props.onLog}>
        Deliveries
      </button>
      {props.mayConfigure && (
        <>
          <button type="button" class="secondary" onClick={props.onEdit} aria-label={`Edit ${props.name}`}>
            Edit
          </button>
          <button type="button" class="secondary" onClick={props.onTest}>
            Send test
          </button>
          <ConfirmButton onConfirm={props.onDelete} confirmText={`Delete ${props.name}?`}>
            Delete
          </ConfirmButton>
        </>
      )}
    </span>
  );
}
