/**
 * A node (`/nodes/:id`, admins): its state (live), host charts over a chosen window (`?window=`), its running jobs
 * (live), and cordon/uncordon, rotate and revoke (the last two confirmed, registered nodes only).
 */
import type { NodeInfo } from '@scrapyard/protocol';
import { useState } from 'preact/hooks';
import { ConfirmButton } from '../../components/confirm-button.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { Link } from '../../components/link.js';
import { Time } from '../../components/time.js';
import { useLoad } from '../../components/use-load.js';
import { useLive } from '../../live/use-live.js';
import { navigate } from '../../navigation.js';
import { useCan } from '../../session/session.js';
import { RunningJobs } from '../dashboard/dashboard-tables.js';
import { applyRunningEvent, runningFromJob, type RunningJob } from '../dashboard/running-jobs.js';
import { HostCharts } from './host-charts.js';
import { parseWindow, WINDOWS, type WindowId } from './metrics-window.js';
import { NodeState } from './node-bits.js';
import { applyNodeEvent } from './node-events.js';
import { getNode, listNodeRunningJobs, nodeAction, type NodeAction } from '../../api/nodes.js';
import './nodes.css';

export function NodePage({ id, search }: { id: string; search: string }) {
  const can = useCan();
  const window = parseWindow(search);
  const [node, setNode] = useState<NodeInfo | undefined>(undefined);
  const [running, setRunning] = useState<readonly RunningJob[] | undefined>(undefined);
  const [actionError, setActionError] = useState<unknown>(undefined);
  const [generation, setGeneration] = useState(0);
  const info = useLoad(() => getNode(id).then(setNode), [id, generation]);
  const jobs = useLoad(
    () => listNodeRunningJobs(id).then((p) => setRunning(p.jobs.map(runningFromJob))),
    [id, generation],
  );
  useLive({
    event: (_type, e) => {
      if (e.type.startsWith('node.')) setNode((n) => n && applyNodeEvent([n], e).nodes[0]);
      setRunning((rows) => rows && applyRunningEvent(rows, e, id));
    },
    reset: () => setGeneration((g) => g + 1),
  });

  const act = async (action: NodeAction) => {
    setActionError(undefined);
    try {
      setNode(await nodeAction(id, action));
    } catch (e) {
      setActionError(e);
    }
  };
  const pickWindow = (w: WindowId) =>
    navigate(`/nodes/${encodeURIComponent(id)}?${new URLSearchParams({ window: w })}`, true);
  const admin = can('admin');
  const registered = node !== undefined && node.kind === 'permanent' && !node.revoked;

  return (
    <>
      <p>
        <Link to="/nodes">← Nodes</Link>
      </p>
      <h1>Node {id}</h1>
      <ErrorBanner error={info.error ?? jobs.error ?? actionError} />
      {node && (
        <>
          <dl class="node-facts">
            <dt>State</dt>
            <dd>
              <NodeState node={node} />
            </dd>
            <dt>Kind</dt>
            <dd>{node.kind}</dd>
            <dt>Tags</dt>
            <dd>{node.tags.length > 0 ? node.tags.join(', ') : 'none'}</dd>
            <dt>Slots</dt>
            <dd>
              {node.running} running of {node.slots}
              {node.dedicated && ' (dedicated: only jobs that ask for its tags)'}
            </dd>
            <dt>Host</dt>
            <dd>
              {node.hostname ?? '–'} {node.address && <span class="muted">({node.address})</span>}
            </dd>
            <dt>Agent version</dt>
            <dd>{node.agentVersion ?? '–'}</dd>
            <dt>Last seen</dt>
            <dd>
              <Time ms={node.lastSeen} />
            </dd>
          </dl>
          {admin && !node.revoked && (
            <div class="actions">
              {node.cordoned ? (
                <button type="button" onClick={() => void act('uncordon')}>
                  Uncordon
                </button>
              ) : (
                <button type="button" class="secondary" onClick={() => void act('cordon')}>
                  Cordon
                </button>
              )}
              {registered && (
                <>
                  <ConfirmButton onConfirm={() => act('rotate')} confirmText="Rotate its secret?">
                    Rotate secret
                  </ConfirmButton>
                  <ConfirmButton onConfirm={() => act('revoke')} confirmText="Revoke it for good?">
                    Revoke
                  </ConfirmButton>
                </>
              )}
            </div>
          )}
        </>
      )}
      <section aria-label="Host charts">
        <h2>Host</h2>
        <div class="inline-form">
          <label>
            Window
            <select value={window} onChange={(e) => pickWindow(e.currentTarget.value as WindowId)}>
              {WINDOWS.map((w) => (
                <option key={w.id} value={w.id}>
                  last {w.label}
                </option>
              ))}
            </select>
          </label>
          <button type="button" class="secondary" onClick={() => setGeneration((g) => g + 1)}>
            Refresh
          </button>
        </div>
        <HostCharts nodeId={id} window={window} generation={generation} />
      </section>
      <section aria-label="Running jobs">
        <h2>Running jobs</h2>
        <RunningJobs rows={running} showNode={false} />
      </section>
    </>
  );
}
