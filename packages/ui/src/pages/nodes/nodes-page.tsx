/**
 * The nodes (`/nodes`, admins): each node's state, tags, slots, load, version and last seen, kept live from the
 * stream (online, offline, cordon, revoke change a row in place); and enrolling a new one.
 */
import type { NodeInfo } from '@scrapyard/protocol';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { EmptyState } from '../../components/empty-state.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { Link } from '../../components/link.js';
import { Time } from '../../components/time.js';
import { useDebounced } from '../../components/use-debounced.js';
import { useLive } from '../../live/use-live.js';
import { EnrollPanel } from './enroll-panel.js';
import { applyNodeEvent, nodeState } from './node-events.js';
import { listNodes } from '../../api/nodes.js';
import './nodes.css';

export function NodesPage() {
  const [nodes, setNodes] = useState<readonly NodeInfo[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const load = useCallback(() => {
    listNodes().then((l) => {
      setNodes(l.nodes);
      setError(undefined);
    }, setError);
  }, []);
  useEffect(load, [load]);
  const reload = useDebounced(load, 300);
  useLive({
    event: (_type, e) => {
      if (e.type.startsWith('node.')) {
        setNodes((list) => {
          if (list === undefined) return list;
          const step = applyNodeEvent(list, e);
          if (step.refetch) reload();
          return step.nodes;
        });
      }
      // Running counts and load move with the jobs.
      if (e.type === 'job.started' || e.type === 'job.finished' || e.type === 'job.cancelled') reload();
    },
    reset: load,
  });

  return (
    <>
      <h1>Nodes</h1>
      <ErrorBanner error={error} />
      {nodes === undefined && error === undefined && <p class="muted">Loading…</p>}
      {nodes?.length === 0 && (
        <EmptyState title="No node yet.">Enroll one below: it runs the crawls once its agent is started.</EmptyState>
      )}
      {nodes && nodes.length > 0 && <NodesTable nodes={nodes} />}
      <EnrollPanel />
    </>
  );
}

function NodesTable({ nodes }: { nodes: readonly NodeInfo[] }) {
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Node</th>
            <th scope="col">State</th>
            <th scope="col">Tags</th>
            <th scope="col" class="num">
              Running / slots
            </th>
            <th scope="col" class="num">
              Load (1 min)
            </th>
            <th scope="col">Version</th>
            <th scope="col">Last seen</th>
          </tr>
        </thead>
        <tbody>
          {nodes.map((n) => (
            <tr key={n.nodeId} data-node={n.nodeId}>
              <td>
                <Link to={`/nodes/${encodeURIComponent(n.nodeId)}`}>{n.nodeId}</Link>
                {n.kind !== 'permanent' && <span class="badge">{n.kind}</span>}
              </td>
              <td>
                <span class={n.online && !n.revoked ? 'badge ok' : 'badge bad'} data-node-state>
                  {nodeState(n)}
                </span>
              </td>
              <td class="wrap">{n.tags.length > 0 ? n.tags.join(', ') : <span class="muted">none</span>}</td>
              <td class="num">
                {n.running} / {n.slots}
              </td>
              <td class="num">{n.host ? n.host.load1.toFixed(2) : '–'}</td>
              <td>{n.agentVersion ?? <span class="muted">–</span>}</td>
              <td>
                <Time ms={n.lastSeen} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
