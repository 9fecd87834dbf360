/**
 * Alert channels (a channel carries alerts of every project, so only a reader of all of them sees any): create,
 * edit (a change of where it sends needs its secret again: the master refuses it otherwise, its message shown),
 * send a test, delete, and each one's delivery log.
 */
import type { Channel, ChannelKind } from '@scrapyard/protocol';
import { useState } from 'preact/hooks';
import { EmptyState } from '../../components/empty-state.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { Field, TextField } from '../../components/field.js';
import { FormActions } from '../../components/form-parts.js';
import { Options } from '../../components/options.js';
import { SecretOnce } from '../../components/secret-once.js';
import { TableHead } from '../../components/table-head.js';
import { useForm } from '../../components/use-form.js';
import {
  channelFieldOf,
  channelRequestFromForm,
  channelTarget,
  channelUpdateFromForm,
  emptyChannelForm,
  formFromChannel,
  type ChannelForm,
} from './channel-form.js';
import { channelDeliveries, createChannel, deleteChannel, testChannel, updateChannel } from '../../api/alerts.js';
import { TargetActions, useOpenLog } from './target-actions.js';

export function ChannelsSection(props: {
  channels: Channel[];
  mayConfigure: boolean;
  act(what: () => Promise<unknown>): Promise<void>;
  reload(): void;
}) {
  /** undefined: no editor open; null: a new channel; else the one edited. */
  const [editing, setEditing] = useState<Channel | null | undefined>(undefined);
  const [secret, setSecret] = useState<string | undefined>(undefined);
  const logs = useOpenLog();
  return (
    <section aria-labelledby="channels-title">
      <div class="page-head">
        <h2 id="channels-title">Channels</h2>
        {props.mayConfigure && editing === undefined && (
          <button type="button" onClick={() => setEditing(null)}>
            New channel
          </button>
        )}
      </div>
      {secret && (
        <SecretOnce secret={secret} label="The signing secret" onDone={() => setSecret(undefined)}>
          The channel's signing secret: copy it now, it is shown only once.
        </SecretOnce>
      )}
      {editing !== undefined && (
        <ChannelEditor
          key={editing?.id ?? 'new'}
          channel={editing ?? undefined}
          onCancel={() => setEditing(undefined)}
          onSaved={(s) => {
            setEditing(undefined);
            setSecret(s);
            props.reload();
          }}
        />
      )}
      {props.channels.length === 0 ? (
        <EmptyState title="No channels.">
          <p>
            {props.mayConfigure
              ? 'Add a webhook, Slack, Telegram or email channel, then name it in a rule to be told when it fires.'
              : 'Channels are shown to those who read every project.'}
          </p>
        </EmptyState>
      ) : (
        <div class="table-wrap">
          <table>
            <TableHead columns={['Channel', 'Kind', 'Sends to', { hidden: 'Actions' }]} />
            <tbody>
              {props.channels.map((c) => (
                <tr key={c.id} data-channel={c.name}>
                  <td>{c.name}</td>
                  <td>{c.kind}</td>
                  <td class="wrap">{channelTarget(c.kind, c.config)}</td>
                  <td>
                    <TargetActions
                      name={c.name}
                      logOpen={logs.open === c.id}
                      onLog={() => logs.toggle(c.id)}
                      mayConfigure={props.mayConfigure}
                      onEdit={() => setEditing(c)}
                      onTest={() => void props.act(() => testChannel(c.id).then(() => logs.tested(c.id)))}
                      onDelete={() => props.act(() => deleteChannel(c.id))}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {logs.log(
        props.channels.map((c) => c.id),
        channelDeliveries,
        'Send a test, or wait for a rule naming this channel to fire.',
      )}
    </section>
  );
}

const KINDS: readonly ChannelKind[] = ['webhook', 'slack', 'telegram', 'email'];

/** The secret fields: typed again to change them (an edit), never shown. */
const KEPT = ' (empty: kept; a new destination needs it)';

function ChannelEditor(props: { channel?: Channel; onSaved(secret?: string): void; onCancel(): void }) {
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
