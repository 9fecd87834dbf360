/**
 * The nodes (`/nodes`, admins): each node's state, tags, slots, load, version and last seen, kept live from the
 * stream (online, offline, cordon, revoke change a row in place); and enrolling a new one.
 */
import type { NodeInfo } from '@scrapyard/protocol';
import { EmptyState } from '../../components/empty-state.js';
import { ErrorBanner } from '../../components/error-banner.js';
import { TableHead } from '../../components/table-head.js';
import { Time } from '../../components/time.js';
import { EnrollPanel } from './enroll-panel.js';
import { NodeLink, NodeState } from './node-bits.js';
import { useLiveNodes } from './use-live-nodes.js';
import './nodes.css';

export function NodesPage() {
  const { nodes, error } = useLiveNodes();
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
        <TableHead
          columns={[
            'Node',
            'State',
            'Tags',
            { num: 'Running / slots' },
            { num: 'Load (1 min)' },
            'Version',
            'Last seen',
          ]}
        />
        <tbody>
          {nodes.map((n) => (
            <tr key={n.nodeId} data-node={n.nodeId}>
              <td>
                <NodeLink nodeId={n.nodeId} />
                {n.kind !== 'permanent' && <span class="badge">{n.kind}</span>}
              </td>
              <td>
                <NodeState node={n} />
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
