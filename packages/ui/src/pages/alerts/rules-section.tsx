/** The alert rules the user may read: what each watches, where it sends; create, edit, delete, mute. */
import type { AlertRule, Channel } from '@scrapyard/protocol';
import { useState } from 'preact/hooks';
import { ConfirmButton } from '../../components/confirm-button.js';
import { EmptyState } from '../../components/empty-state.js';
import { TableHead } from '../../components/table-head.js';
import { useSession } from '../../session/session.js';
import { deleteRule, muteRule, unmuteRule } from '../../api/alerts.js';
import { MuteControl } from './mute-control.js';
import { RuleEditor } from './rule-editor.js';
import { describeCondition, ruleProject } from './rule-form.js';
import { useMayConfigure } from './use-configure.js';

export function RulesSection(props: {
  rules: AlertRule[];
  channels: Channel[];
  act(what: () => Promise<unknown>): Promise<void>;
  reload(): void;
}) {
  const mayConfigure = useMayConfigure();
  const { can } = useSession();
  /** undefined: no editor open; null: a new rule; else the rule edited. */
  const [editing, setEditing] = useState<AlertRule | null | undefined>(undefined);
  const channelName = new Map(props.channels.map((c) => [c.id, c.name]));
  const saved = () => {
    setEditing(undefined);
    props.reload();
  };
  return (
    <section aria-labelledby="rules-title">
      <div class="page-head">
        <h2 id="rules-title">Rules</h2>
        {can('configure') && editing === undefined && (
          <button type="button" onClick={() => setEditing(null)}>
            New rule
          </button>
        )}
      </div>
      {editing !== undefined && (
        <RuleEditor
          key={editing?.id ?? 'new'}
          rule={editing ?? undefined}
          channels={props.channels}
          onSaved={saved}
          onCancel={() => setEditing(undefined)}
        />
      )}
      {props.rules.length === 0 ? (
        <EmptyState title="No alert rules yet.">
          <p>A rule watches crawls, nodes or schedules and fires an alert when its condition holds.</p>
        </EmptyState>
      ) : (
        <div class="table-wrap">
          <table>
            <TableHead columns={['Rule', 'Watches', 'Sends to', 'State', { hidden: 'Actions' }]} />
            <tbody>
              {props.rules.map((r) => (
                <tr key={r.id} data-rule={r.name}>
                  <td>{r.name}</td>
                  <td class="wrap">{describeCondition(r.condition)}</td>
                  <td>
                    {r.channels.length === 0 ? (
                      <span class="muted">recorded only</span>
                    ) : (
                      r.channels.map((c) => channelName.get(c) ?? c).join(', ')
                    )}
                  </td>
                  <td>
                    <span class={`state state-${r.enabled ? 'enabled' : 'paused'}`}>
                      {r.enabled ? 'enabled' : 'disabled'}
                    </span>
                  </td>
                  <td>
                    {mayConfigure(ruleProject(r.condition)) && (
                      <span class="row-actions">
                        <button
                          type="button"
                          class="secondary"
                          onClick={() => setEditing(r)}
                          aria-label={`Edit ${r.name}`}
                        >
                          Edit
                        </button>
                        <MuteControl
                          what={r.name}
                          mutedUntil={r.mutedUntil}
                          mute={(s) => props.act(() => muteRule(r.id, s))}
                          unmute={() => props.act(() => unmuteRule(r.id))}
                        />
                        <ConfirmButton onConfirm={() => props.act(() => deleteRule(r.id))}>Delete</ConfirmButton>
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
