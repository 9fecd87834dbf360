/**
 * Alert channels (a channel carries alerts of every project, so only a reader of all of them sees any): create,
 * edit (a change of where it sends needs its secret again: the master refuses it otherwise, its message shown),
 * send a test, delete, and each one's delivery log.
 */
import type { Channel } from '@scrapyard/protocol';
import { EmptyState } from '../../components/empty-state.js';
import { TableHead } from '../../components/table-head.js';
import { channelTarget } from './channel-form.js';
import { ChannelEditor } from './channel-editor.js';
import { channelDeliveries, deleteChannel, testChannel } from '../../api/alerts.js';
import { TargetActions, useOpenLog, useTargetEditor } from './target-actions.js';

export function ChannelsSection(props: {
  channels: Channel[];
  mayConfigure: boolean;
  act(what: () => Promise<unknown>): Promise<void>;
  reload(): void;
}) {
  const ed = useTargetEditor<Channel>('channel', props.reload);
  const logs = useOpenLog();
  return (
    <section aria-labelledby="channels-title">
      <div class="page-head">
        <h2 id="channels-title">Channels</h2>
        {props.mayConfigure && ed.editing === undefined && (
          <button type="button" onClick={() => ed.open(null)}>
            New channel
          </button>
        )}
      </div>
      {ed.secretOnce}
      {ed.editing !== undefined && (
        <ChannelEditor key={ed.key} channel={ed.editing ?? undefined} onCancel={ed.close} onSaved={ed.saved} />
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
                      onEdit={() => ed.open(c)}
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
