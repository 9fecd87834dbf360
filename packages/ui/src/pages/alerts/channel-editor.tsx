/** Create or edit an alert channel: its name, and the settings and secret of its kind (the kind is chosen once). */
import type { Channel, ChannelKind } from '@scrapyard/protocol';
import { ErrorBanner } from '../../components/error-banner.js';
import { Field, TextField } from '../../components/field.js';
import { FormActions } from '../../components/form-parts.js';
import { Options } from '../../components/options.js';
import { useForm } from '../../components/use-form.js';
import { createChannel, updateChannel } from '../../api/alerts.js';
import {
  channelFieldOf,
  channelRequestFromForm,
  channelUpdateFromForm,
  emptyChannelForm,
  formFromChannel,
  type ChannelForm,
} from './channel-form.js';

const KINDS: readonly ChannelKind[] = ['webhook', 'slack', 'telegram', 'email'];

/** The secret fields: typed again to change them (an edit), never shown. */
const KEPT = ' (empty: kept; a new destination needs it)';

export function ChannelEditor(props: { channel?: Channel; onSaved(secret?: string): void; onCancel(): void }) {
  const c = props.channel;
  const f = useForm({
    initial: () => (c ? formFromChannel(c) : emptyChannelForm()),
    build: (form: ChannelForm) => ({ ok: true, body: form }) as const,
    send: (form: ChannelForm) =>
      c ? updateChannel(c.id, channelUpdateFromForm(form, c)) : createChannel(channelRequestFromForm(form)),
    onSaved: (answer) => props.onSaved(answer.secret?.signingSecret),
    fieldOf: (path) => channelFieldOf(c?.kind ?? 'webhook', path),
  });
  const kind = f.form.kind;
  const secret = (key: keyof ChannelForm, label: string) => (
    <TextField label={c ? `${label}${KEPT}` : label} secret {...f.bind(key)} />
  );
  return (
    <form class="card inline-form" aria-label={c ? `Edit channel ${c.name}` : 'New channel'} onSubmit={f.submit}>
      <ErrorBanner error={f.error} />
      <TextField label="Name" {...f.bind('name')} />
      {c ? (
        <p class="muted">A {c.kind} channel.</p>
      ) : (
        <Field label="Kind">
          <select
            name="channel-kind"
            value={kind}
            onChange={(e) => f.set('kind', e.currentTarget.value as ChannelKind)}
          >
            <Options values={KINDS} />
          </select>
        </Field>
      )}
      {kind === 'webhook' && (
        <>
          <TextField label="URL" {...f.bind('url')} />
          {secret('signingSecret', c ? 'Signing secret' : 'Signing secret (empty: one is made)')}
        </>
      )}
      {kind === 'slack' && secret('slackUrl', 'Incoming-webhook URL')}
      {kind === 'telegram' && (
        <>
          <TextField label="Chat id" {...f.bind('chatId')} />
          {secret('botToken', 'Bot token')}
        </>
      )}
      {kind === 'email' && (
        <>
          <TextField label="SMTP host" {...f.bind('host')} />
          <TextField label="Port" inputMode="numeric" {...f.bind('port')} />
          <TextField label="From" {...f.bind('from')} />
          <TextField label="To (comma separated)" {...f.bind('to')} />
          <TextField label="User (optional)" {...f.bind('username')} />
          {secret('password', 'Password')}
        </>
      )}
      <FormActions submit={c ? 'Save channel' : 'Create channel'} busy={f.busy} onCancel={props.onCancel} />
    </form>
  );
}
