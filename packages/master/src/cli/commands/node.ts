/**
 * `scrapyard-master node …`: node administration through the running master's REST API, so every change goes
 * through the process that holds the sessions (a revoke disconnects at once, a rotation reaches the agent).
 */
import { EnrollmentResponse, NodeInfo } from '@scrapyard/protocol';
import { z } from 'zod';
import type { Command, Sub } from '../spec.js';
import { table, when } from '../values.js';

function nodeTable(nodes: NodeInfo[]): string {
  const rows = [['NODE', 'KIND', 'STATE', 'TAGS', 'SLOTS', 'RUNNING', 'ADDRESS', 'VERSION', 'LAST SEEN']];
  for (const n of nodes) {
    const state = n.revoked ? 'revoked' : `${n.online ? 'online' : 'offline'}${n.cordoned ? ',cordoned' : ''}`;
    rows.push([
      n.nodeId,
      n.kind + (n.dedicated ? '*' : ''),
      state,
      n.tags.join(',') || '-',
      String(n.slots),
      String(n.running),
      n.address ?? '-',
      n.agentVersion ?? '-',
      when(n.lastSeen ?? null),
    ]);
  }
  return table(rows);
}

const NodeList = z.object({ nodes: z.array(NodeInfo) });

/** revoke, rotate, cordon, uncordon: a POST on the node, answered with the node. */
const onNode = (name: string, summary: string): Sub => ({
  name,
  args: ['ID'],
  summary,
  method: 'POST',
  path: (c) => `/nodes/${c.id}/${name}`,
  print: (a) => `${name}: ${NodeInfo.parse(a).nodeId} done`,
  output: NodeInfo,
});

export const NODE: Command = {
  name: 'node',
  summary: 'Enrolls, lists and controls the nodes (agents) of the cluster.',
  flags: {
    'node-id': { type: 'string', arg: 'ID', help: 'enroll: the id the node registers as (default: its hostname)' },
    ttl: { type: 'duration', arg: 'DURATION', help: "enroll: the token's lifetime (90, 90s, 5m, 2h; default 15m)" },
  },
  subs: [
    {
      name: 'enroll',
      usage: '[--node-id ID] [--ttl DURATION]',
      summary: 'create a single-use enrollment token',
      flags: ['node-id', 'ttl'],
      method: 'POST',
      path: () => '/nodes/enrollments',
      body: (c) => ({ nodeId: c.str('node-id'), ttlSeconds: c.num('ttl') }),
      print(a, c) {
        const e = EnrollmentResponse.parse(a);
        return (
          `Enrollment token (single use, expires ${when(e.expiresAt)}):\n\n  ${e.token}\n\n` +
          `On the crawler machine (--url: this master as it reaches it; its data goes to ./scrapyard-agent-data):\n` +
          `  scrapyard-agent register --url ${c.masterUrl()} --token ${e.token}\n  scrapyard-agent`
        );
      },
      output: EnrollmentResponse,
    },
    {
      name: 'list',
      summary: 'nodes with online state, tags, slots, address, version, last seen',
      method: 'GET',
      path: () => '/nodes',
      print: (a) => nodeTable(NodeList.parse(a).nodes),
      json: (a) => NodeList.parse(a).nodes,
      output: z.array(NodeInfo),
    },
    onNode('revoke', 'disconnect a node and refuse it from now on'),
    onNode('rotate', 'give an online node a new secret'),
    onNode('cordon', 'stop placing new jobs on a node'),
    onNode('uncordon', 'resume placing new jobs on a node'),
  ],
};
