/**
 * The nodes list kept live from the stream (pure): online, offline, cordon, revoke and a new host sample (load)
 * change a node in place.
 */
import type { LiveEvent, NodeInfo } from '@scrapyard/protocol';

export interface NodeStep {
  nodes: readonly NodeInfo[];
  /** The event names a node the list lacks (a new one): fetch the list again. */
  refetch: boolean;
}

function patch(nodes: readonly NodeInfo[], nodeId: string, change: Partial<NodeInfo>): NodeStep {
  const i = nodes.findIndex((n) => n.nodeId === nodeId);
  if (i < 0) return { nodes, refetch: true };
  const next = nodes.slice();
  next[i] = { ...nodes[i]!, ...change };
  return { nodes: next, refetch: false };
}

export function applyNodeEvent(nodes: readonly NodeInfo[], e: LiveEvent): NodeStep {
  switch (e.type) {
    case 'node.online':
      return patch(nodes, e.nodeId, { online: true, lastSeen: e.at });
    case 'node.offline':
      return patch(nodes, e.nodeId, { online: false, lastSeen: e.lastSeen });
    case 'node.cordoned':
      return patch(nodes, e.nodeId, { cordoned: e.cordoned });
    case 'node.revoked':
      return patch(nodes, e.nodeId, { revoked: true, online: false });
    case 'node.host':
      return patch(nodes, e.nodeId, { host: e.sample });
    default:
      return { nodes, refetch: false };
  }
}

/** `online`, `offline, cordoned`, `revoked`: a node's state in words. */
export function nodeState(n: Pick<NodeInfo, 'online' | 'cordoned' | 'revoked'>): string {
  if (n.revoked) return 'revoked';
  const online = n.online ? 'online' : 'offline';
  return n.cordoned ? `${online}, cordoned` : online;
}
