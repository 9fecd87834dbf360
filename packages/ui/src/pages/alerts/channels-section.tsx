/**
 * Alert channels (a channel carries alerts of every project, so only a reader of all of them sees any): create,
 * send a test, delete, and each one's delivery log.
 */
import type { Channel, ChannelKind } from '@scrapyard/protocol';
import { useState } from 'preact/hooks';
import { ConfirmButton } from '../../components/confirm-button.js';
import { EmptyState } from '../../components/empty-state.js';
import { Field } from '../../components/field.js';
import { TableHead } from '../../components/table-head.js';
import { channelRequestFromForm, channelTarget, emptyChannelForm, type ChannelForm } from './channel-form.js';
import { createChannel, deleteChannel, testChannel } from '../../api/alerts.js';
import { DeliveryLog } from './delivery-log.js';

export function ChannelsSection(props: {
  channels: Channel[];
  mayConfigure: boolean;
  act(what: () => Promise<unknown>): Promise<void>;
}) {
  const [open, setOpen] = useState<string | undefined>(undefined);
  const [adding, setAdding] = useState(false);
  const [secret, setSecret] = useState<string | undefined>(undefined);
  /** Bumped after a test is sent: the open log asks again. */
  const [sent, setSent] = useState(0);
  return (
    <section aria-labelledby="channels-title">
      <div class="page-head">
        <h2 id="channels-title">Channels</h2>
        {props.mayConfigure && !adding && (
          <button type="button" onClick={() => setAdding(true)}>
            New channel
          </button>
        )}
      </div>
      {secret && (
        <div class="card secret-once" role="status">
          <p>The channel's signing secret: copy it now, it is shown only once.</p>
          <input class="secret" readOnly value={secret} aria-label="The signing secret" />
          <button type="button" class="secondary" onClick={() => setSecret(undefined)}>
            Done
          </button>
        </div>
      )}
      {adding && (
        <ChannelEditor
          onCancel={() => setAdding(false)}
          save={(f) =>
            props.act(async () => {
              const answer = await createChannel(channelRequestFromForm(f));
              setAdding(false);
              setSecret(answer.secret?.signingSecret);
            })
          }
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
                    <span class="row-actions">
                      <button
                        type="button"
                        class="secondary"
                        aria-expanded={open === c.id}
                        onClick={() => setOpen(open === c.id ? undefined : c.id)}
                      >
                        Deliveries
                      </button>
                      {props.mayConfigure && (
                        <>
                          <button
                            type="button"
                            class="secondary"
                            onClick={() =>
                              void props.act(async () => {
                                await testChannel(c.id);
                                setOpen(c.id);
                                setSent((n) => n + 1);
                              })
                            }
                          >
                            Send test
                          </button>
                          <ConfirmButton onConfirm={() => props.act(() => deleteChannel(c.id))}>Delete</ConfirmButton>
                        </>
                      )}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {open && props.channels.some((c) => c.id === open) && <DeliveryLog key={`${open}-${sent}`} channelId={open} />}
    </section>
  );
}

const KINDS: readonly ChannelKind[] = ['webhook', 'slack', 'telegram', 'email'];

function ChannelEditor(props: { save(f: ChannelForm): Promise<void>; onCancel(): void }) {
  const [f, setF] = useState<ChannelForm>(emptyChannelForm);
  const set = (key: keyof ChannelForm, value: string) => setF((x) => ({ ...x, [key]: value }));
  const input = (key: keyof ChannelForm, label: string, secret = false) => {
    const p = {
      name: `channel-${key}`,
      value: f[key],
      onInput: (e: { currentTarget: HTMLInputElement }) => set(key, e.currentTarget.value),
    };
    return <Field label={label}>{secret ? <input type="password" {...p} /> : <input {...p} />}</Field>;
  };
  return (
    <form
      class="card inline-form"
      aria-label="New channel"
      onSubmit={(e) => {
        e.preventDefault();
        void props.save(f);
      }}
    >
      {input('name', 'Name')}
      <Field label="Kind">
        <select name="channel-kind" value={f.kind} onChange={(e) => set('kind', e.currentTarget.value)}>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </Field>
      {f.kind === 'webhook' && input('url', 'URL')}
      {f.kind === 'slack' && input('slackUrl', 'Incoming-webhook URL', true)}
      {f.kind === 'telegram' && (
        <>
          {input('chatId', 'Chat id')}
          {input('botToken', 'Bot token', true)}
        </>
      )}
      {f.kind === 'email' && (
        <>
          {input('host', 'SMTP host')}
          {input('port', 'Port')}
          {input('from', 'From')}
          {input('to', 'To (comma separated)')}
          {input('username', 'User (optional)')}
          {input('password', 'Password', true)}
        </>
      )}
      <button type="submit">Create channel</button>
      <button type="button" class="secondary" onClick={props.onCancel}>
        Cancel
      </button>
    </form>
  );
}
