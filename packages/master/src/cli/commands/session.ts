/**
 * `scrapyard-master session …`: browser sessions through the running master's REST API. On the master host the
 * command is an admin (admin token), so it lists everyone's sessions, or one user's with --user, and revokes any.
 */
import { BrowserSessionList, type BrowserSession } from '@scrapyard/protocol';
import type { Command } from '../spec.js';
import { table, when } from '../values.js';
import { DELETED, deleted } from './shared.js';

function sessionTable(sessions: readonly BrowserSession[]): string {
  if (sessions.length === 0) return 'no sessions';
  const rows = sessions.map((s) => [
    s.id,
    s.userName,
    s.address,
    when(s.createdAt),
    when(s.lastSeenAt),
    when(s.expiresAt),
    s.userAgent.slice(0, 40),
  ]);
  return table([['ID', 'USER', 'ADDRESS', 'CREATED', 'LAST SEEN', 'EXPIRES', 'USER AGENT'], ...rows]);
}

export const SESSION_COMMAND: Command = {
  name: 'session',
  summary: 'Browser sessions (logins to the web UI): list them, end one at once.',
  flags: {
    user: { type: 'string', arg: 'NAME|ID', help: "list: only this user's sessions" },
  },
  subs: [
    {
      name: 'list',
      usage: '[--user NAME|ID]',
      summary: 'live sessions, newest first, with their user, address and expiry',
      flags: ['user'],
      method: 'GET',
      path: (c) => {
        const user = c.str('user');
        return user === undefined ? '/sessions' : `/sessions?user=${encodeURIComponent(user)}`;
      },
      print: (a) => sessionTable(BrowserSessionList.parse(a).sessions),
      output: BrowserSessionList,
    },
    {
      name: 'revoke',
      aliases: ['delete'],
      args: ['ID'],
      summary: 'end a session at once (its cookie no longer works)',
      method: 'DELETE',
      path: (c) => `/sessions/${c.id}`,
      print: (_a, c) => `revoked: ${c.args[0]}`,
      json: deleted,
      output: DELETED,
    },
  ],
};
