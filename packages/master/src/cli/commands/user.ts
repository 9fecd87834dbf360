/**
 * `scrapyard-master user …`: people who sign in with a name and a password, and their roles. `add` works on the
 * master host without a running master (it opens the store, see user-offline.ts), so the first admin can be made
 * before anyone can sign in; the others go through the running master's REST API, so a change holds from the
 * next request on. USER: a user's name or id.
 */
import { USER_ROLES, User, UserList, UserName, UserResponse } from '@scrapyard/protocol';
import { UsageError } from '../errors.js';
import type { Command, Ctx, Sub } from '../spec.js';
import { commaList, table, when } from '../values.js';
import { DELETED, deleted } from './shared.js';
import { PASSWORD_FLAGS, passwordOf } from './password-input.js';

const grantsText = (u: User) =>
  u.grants.map((g) => `${g.role}:${g.projects === '*' ? '*' : g.projects.join(',')}`).join(' ') || '-';

function userTable(users: User[]): string {
  const rows = [['NAME', 'ID', 'STATE', 'GRANTS', 'PASSWORD CHANGED']];
  for (const u of users) {
    rows.push([u.name, u.id, u.disabled ? 'disabled' : 'enabled', grantsText(u), when(u.passwordChangedAt)]);
  }
  return table(rows);
}

/** The user, then each warning on a line of its own. */
function printed(a: unknown, verb: string): string {
  const r = UserResponse.parse(a);
  const lines = [
    `${verb}: ${r.user.name} (${r.user.id}) ${r.user.disabled ? 'disabled' : 'enabled'}, ${grantsText(r.user)}`,
  ];
  return [...lines, ...r.warnings.map((w) => `warning: ${w}`)].join('\n');
}

/** `--role ROLE [--project P …]`: the grant a command names (no --project: every project). */
function grantOf(c: Ctx): { role: string; projects: '*' | string[] } {
  const role = c.str('role');
  if (role === undefined) throw new UsageError(`${c.sub} needs --role ROLE (${USER_ROLES.join(', ')})`);
  if (!(USER_ROLES as readonly string[]).includes(role)) {
    throw new UsageError(`--role: unknown role '${role}' (one of ${USER_ROLES.join(', ')})`);
  }
  const projects = commaList(c.list('project'));
  return { role, projects: projects === undefined || projects.includes('*') ? '*' : projects };
}

/** disable, enable: a POST on the user, answered with the user. */
const onUser = (name: string, summary: string): Sub => ({
  name,
  args: ['USER'],
  summary,
  method: 'POST',
  path: (c) => `/users/${c.id}/${name}`,
  print: (a) => printed(a, `${name}d`),
  output: UserResponse,
});

export const USER_COMMAND: Command = {
  name: 'user',
  summary: 'Adds and manages the people who sign in with a name and a password, and their roles.',
  flags: {
    role: { type: 'string', arg: 'ROLE', help: `${USER_ROLES.join(', ')} (docs/auth.md says what each may do)` },
    project: {
      type: 'list',
      arg: 'P',
      help: 'the projects the role covers (repeatable or comma-separated; default: every project, *)',
    },
    ...PASSWORD_FLAGS,
    'database-url': {
      type: 'string',
      arg: 'URL',
      help: "add: the master's PostgreSQL database (default: the config's database_url, else SQLite in the data dir)",
    },
  },
  subs: [
    {
      name: 'add',
      args: ['NAME'],
      usage: '--role ROLE [--project P …] [--password-stdin]',
      summary: "create a user on this host's store (no running master needed); asks for the password",
      flags: ['role', 'project', 'password-stdin', 'password', 'database-url'],
      method: 'POST',
      path: () => '/users',
      async body(c) {
        const name = UserName.safeParse(c.args[0]);
        if (!name.success) throw new UsageError(`NAME: ${name.error.issues.map((i) => i.message).join('; ')}`);
        const grant = grantOf(c);
        return { name: name.data, password: await passwordOf(c, name.data), grants: [grant] };
      },
      async run(c, body) {
        const { addUserOffline } = await import('./user-offline.js');
        return addUserOffline(c, body);
      },
      print: (a) => printed(a, 'added'),
      output: UserResponse,
    },
    {
      name: 'list',
      summary: 'users with their state and grants',
      method: 'GET',
      path: () => '/users',
      print: (a) => userTable(UserList.parse(a).users),
      json: (a) => UserList.parse(a).users,
      output: UserList.shape.users,
    },
    {
      name: 'show',
      args: ['USER'],
      summary: 'one user',
      method: 'GET',
      path: (c) => `/users/${c.id}`,
      print: (a) => userTable([UserResponse.parse(a).user]),
      json: (a) => UserResponse.parse(a).user,
      output: User,
    },
    {
      name: 'passwd',
      args: ['USER'],
      usage: '[--password-stdin]',
      summary: "set a user's password (asks for it); the old one stops working at once",
      flags: ['password-stdin', 'password'],
      method: 'POST',
      path: (c) => `/users/${c.id}/password`,
      body: async (c) => ({ password: await passwordOf(c, c.args[0]!) }),
      print: (a) => printed(a, 'password changed'),
      output: UserResponse,
    },
    {
      name: 'grant',
      args: ['USER'],
      usage: '--role ROLE [--project P …]',
      summary: 'add a role on projects (merged with a grant of the same role)',
      flags: ['role', 'project'],
      method: 'POST',
      path: (c) => `/users/${c.id}/grant`,
      body: grantOf,
      print: (a) => printed(a, 'granted'),
      output: UserResponse,
    },
    {
      name: 'revoke',
      args: ['USER'],
      usage: '--role ROLE [--project P …]',
      summary: 'take a role away, on the projects given or everywhere',
      flags: ['role', 'project'],
      method: 'POST',
      path: (c) => `/users/${c.id}/revoke`,
      body: (c) => {
        const g = grantOf(c);
        return c.has('project') ? g : { role: g.role };
      },
      print: (a) => printed(a, 'revoked'),
      output: UserResponse,
    },
    onUser('disable', 'refuse the user from now on (the last enabled admin stays)'),
    onUser('enable', 'let a disabled user sign in again'),
    {
      name: 'delete',
      args: ['USER'],
      summary: 'delete a user (the last enabled admin stays)',
      method: 'DELETE',
      path: (c) => `/users/${c.id}`,
      print: (_a, c) => `deleted: ${c.args[0]!}`,
      json: deleted,
      output: DELETED,
    },
  ],
  notes: [
    "`add` opens the store of the master this config describes: run it on the master host as the master's user,",
    'with its --config or --data-dir. The other commands call the running master.',
    'Passwords: at least 12 characters, not the user name, not one character repeated; never on the command line.',
    'Examples:',
    '  scrapyard-master user add alice --role admin',
    '  echo "$PASSWORD" | scrapyard-master user add ci-viewer --role viewer --project demo --password-stdin',
    '  scrapyard-master user grant bob --role maintainer --project demo',
  ].join('\n'),
};
