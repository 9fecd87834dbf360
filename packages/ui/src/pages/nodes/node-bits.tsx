/** Small pieces every node table shows: the node's link and its state badge. */
import type { NodeInfo } from '@scrapyard/protocol';
import { Link } from '../../components/link.js';
import { nodeState } from './node-events.js';

export const nodePath = (id: string) => `/nodes/${encodeURIComponent(id)}`;

export function NodeLink({ nodeId }: { nodeId: string }) {
  return <Link to={nodePath(nodeId)}>{nodeId}</Link>;
}

export function NodeState({ node }: { node: Pick<NodeInfo, 'online' | 'cordoned' | 'revoked'> }) {
  return (
    <span class={node.online && !node.revoked ? 'badge ok' : 'badge bad'} data-node-state>
      {nodeState(node)}
    </span>
  );
}
