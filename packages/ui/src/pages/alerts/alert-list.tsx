/** Firing, pending and recently resolved alerts, live on `alert.changed`; mute where the user may configure. */
import type { Alert, AlertRule } from '@scrapyard/protocol';
import { EmptyState } from '../../components/empty-state.js';
import { Time } from '../../components/time.js';
import { TableHead } from '../../components/table-head.js';
import { MuteControl } from './mute-control.js';
import { ruleProject } from './rule-form.js';
import { muteAlert, unmuteAlert } from '../../api/alerts.js';
import { useMayConfigure } from './use-configure.js';

export function AlertList(props: {
  title: string;
  alerts: Alert[];
  rules: AlertRule[];
  empty: string;
  act(what: () => Promise<unknown>): Promise<void>;
}) {
  const mayConfigure = useMayConfigure();
  const rules = new Map(props.rules.map((r) => [r.id, r]));
  const slug = props.title.toLowerCase().replace(/\W+/g, '-');
  return (
    <section aria-labelledby={`${slug}-title`} data-alerts={slug}>
      <h2 id={`${slug}-title`}>{props.title}</h2>
      {props.alerts.length === 0 ? (
        <EmptyState title={props.empty} />
      ) : (
        <div class="table-wrap">
          <table>
            <TableHead columns={['State', 'What', 'Rule', 'Since', 'Resolved', 'Notices', { hidden: 'Actions' }]} />
            <tbody>
              {props.alerts.map((a) => {
                const rule = rules.get(a.ruleId);
                const configurable = rule !== undefined && mayConfigure(ruleProject(rule.condition));
                return (
                  <tr key={a.id} data-alert={a.subject} data-state={a.state}>
                    <td>
                      <span class={`state state-${a.state}`}>{a.state}</span>
                    </td>
                    <td class="wrap" title={a.detail}>
                      {a.summary}
                    </td>
                    <td>{rule?.name ?? a.kind}</td>
                    <td>
                      <Time ms={a.firedAt ?? a.startedAt} />
                    </td>
                    <td>
                      <Time ms={a.resolvedAt} />
                    </td>
                    <td>{a.notices}</td>
                    <td>
                      {configurable && a.state !== 'resolved' && (
                        <MuteControl
                          what={a.summary}
                          mutedUntil={a.mutedUntil}
                          mute={(s) => props.act(() => muteAlert(a.id, s))}
                          unmute={() => props.act(() => unmuteAlert(a.id))}
                        />
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
