/**
 * `scrapyard-master node …`: node administration against the running master's REST API, so every change goes
 * through the process that holds the sessions (a revoke disconnects at once, a rotation reaches the agent).
 * It proves itself with the config's basic-auth credentials when there are some, else with the admin token the
 * master wrote to its data dir (readable only by the master's user: being able to read it is the proof).
 */
import { parseArgs } from 'node:util';
import { EnrollmentResponse, NodeInfo } from '@scrapyard/protocol';
import { z } from 'zod';
import { ADMIN_OPTIONS, ADMIN_OPTIONS_HELP, CliError, adminClient, table } from './admin-client.js';

export const NODE_HELP = `Usage: scrapyard-master node <command> [options]

Commands:
  enroll [--node-id ID] [--ttl SECONDS]   create a single-use enrollment token (default lifetime 900 s)
  list                                    nodes with online state, tags, slots, address, version, last seen
  revoke ID                               disconnect a node and refuse it from now on
  rotate ID                               give an online node a new secret
  cordon ID | uncordon ID                 stop / resume placing new jobs on a node

Options:
${ADMIN_OPTIONS_HELP}`;

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
      n.lastSeen ? new Date(n.lastSeen).toISOString() : '-',
    ]);
  }
  return table(rows);
}

/** Runs a node subcommand; returns the exit code. */
export async function runNodeCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        ...ADMIN_OPTIONS,
        'node-id': { type: 'string' },
        ttl: { type: 'string' },
      },
    });
    const [command, id] = positionals;
    if (values.help || !command) {
      out(NODE_HELP);
      return values.help ? 0 : 2;
    }
    const api = adminClient(values, env);
    const needId = () => {
      if (!id) throw new CliError(`${command} needs a node id`);
      return encodeURIComponent(id);
    };
    switch (command) {
      case 'enroll': {
        const ttl = values.ttl === undefined ? undefined : Number(values.ttl);
        if (ttl !== undefined && !Number.isInteger(ttl)) throw new CliError('--ttl must be a whole number of seconds');
        const e = EnrollmentResponse.parse(
          await api('POST', '/nodes/enrollments', { nodeId: values['node-id'], ttlSeconds: ttl }),
        );
        if (values.json) out(JSON.stringify(e));
        else {
          out(`Enrollment token (single use, expires ${new Date(e.expiresAt).toISOString()}):\n\n  ${e.token}\n`);
          out(
            `On the crawler machine (--url: this master as it reaches it; its data goes to ./scrapyard-agent-data):\n  scrapyard-agent register --url ${api.masterUrl} --token ${e.token}\n  scrapyard-agent`,
          );
        }
        return 0;
      }
      case 'list': {
        const { nodes } = z.object({ nodes: z.array(NodeInfo) }).parse(await api('GET', '/nodes'));
        out(values.json ? JSON.stringify(nodes) : nodeTable(nodes));
        return 0;
      }
      case 'revoke':
      case 'rotate':
      case 'cordon':
      case 'uncordon': {
        const n = NodeInfo.parse(await api('POST', `/nodes/${needId()}/${command}`));
        out(values.json ? JSON.stringify(n) : `${command}: ${n.nodeId} done`);
        return 0;
      }
      default:
        throw new CliError(`unknown node command "${command}"\n\n${NODE_HELP}`);
    }
  } catch (e) {
    process.stderr.write(`scrapyard-master node: ${(e as Error).message}\n`);
    return e instanceof CliError ? 1 : 2;
  }
}
