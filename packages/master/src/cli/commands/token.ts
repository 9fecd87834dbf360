/**
 * `scrapyard-master token …`: API tokens through the running master's REST API. The command proves admin (the
 * config's pair or the admin token), so the tokens it creates are service accounts' (owned by nobody); a user
 * creates their own with POST /api/v1/tokens. The token is printed once, at creation.
 */
import { ApiToken, ApiTokenList, ApiTokenResponse, CreatedApiToken, TOKEN_ROLES, TokenRole } from '@scrapyard/protocol';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import type { Command, Resource } from '../spec.js';
import { commaList, defined, table, when } from '../values.js';

const TOKEN: Resource = { noun: 'token', list: '/tokens', key: 'tokens', idPattern: /^tok_/ };

const scope = (t: ApiToken) => (t.projects === '*' ? '*' : t.projects.join(','));

function tokenTable(tokens: readonly ApiToken[]): string {
  const rows = [['ID', 'NAME', 'HINT', 'ROLE', 'PROJECTS', 'OWNER', 'STATE', 'EXPIRES', 'LAST USED']];
  for (const t of tokens) {
    rows.push([
      t.id,
      t.name,
      `${t.hint}…`,
      t.role,
      scope(t),
      t.ownerId ?? '(service)',
      t.state,
      when(t.expiresAt),
      when(t.lastUsedAt),
    ]);
  }
  return table(rows);
}

export const TOKEN_COMMAND: Command = {
  name: 'token',
  summary: 'API tokens (sy_…) for scripts, CI and Prometheus: create, list, revoke.',
  flags: {
    role: { type: 'string', arg: 'ROLE', help: `create: ${TOKEN_ROLES.join(', ')} (metrics: /metrics only)` },
    project: {
      type: 'list',
      arg: 'P',
      help: 'create: only these projects (repeatable or comma-separated; default: every project)',
    },
    expires: { type: 'duration', arg: 'DURATION', help: 'create: lifetime (90s, 5m, 2h, 30d; default: never)' },
  },
  notes:
    'A token works as `Authorization: Bearer sy_…` and as the basic-auth password of any username (scrapyd-deploy,\n' +
    'python-scrapyd-api, ScrapydWeb). Revoking takes effect at the next request. See docs/auth.md, "API tokens".',
  subs: [
    {
      name: 'create',
      args: ['NAME'],
      usage: '--role ROLE [--project P]... [--expires DURATION]',
      summary: 'create a token; prints it once',
      flags: ['role', 'project', 'expires'],
      check(c) {
        const role = c.str('role');
        if (role === undefined) throw new UsageError(`create needs --role (${TOKEN_ROLES.join(', ')})`);
        if (!TokenRole.safeParse(role).success) {
          throw new UsageError(`--role: unknown role '${role}' (${TOKEN_ROLES.join(', ')})`);
        }
        if (c.num('expires') === 0) throw new UsageError('--expires: must be longer than 0s');
      },
      method: 'POST',
      path: () => '/tokens',
      body(c) {
        const seconds = c.num('expires');
        return defined({
          name: c.args[0],
          role: c.str('role'),
          projects: commaList(c.list('project')),
          expiresAt: seconds === undefined ? undefined : Date.now() + seconds * 1_000,
        });
      },
      print(a) {
        const { token, secret } = CreatedApiToken.parse(a);
        const expiry = token.expiresAt === null ? 'never expires' : `expires ${when(token.expiresAt)}`;
        return (
          `created: ${token.id} (${token.name}: ${token.role} on ${scope(token)}, ${expiry})\n\n  ${secret}\n\n` +
          'Shown once: store it now (only its digest is kept). Use it as `Authorization: Bearer <token>` or as the\n' +
          'basic-auth password of any username (scrapyd-deploy: password = <token> in scrapy.cfg [deploy]).'
        );
      },
      output: CreatedApiToken,
    },
    {
      name: 'list',
      summary: 'tokens with their hint, role, projects, owner, state, expiry and last use',
      method: 'GET',
      path: () => '/tokens',
      print: (a) => tokenTable(ApiTokenList.parse(a).tokens),
      json: (a) => ApiTokenList.parse(a).tokens,
      output: z.array(ApiToken),
    },
    {
      name: 'revoke',
      args: ['ID'],
      summary: 'refuse the token from the next request on (ID: its id, or its name when no other has it)',
      resource: TOKEN,
      method: 'DELETE',
      path: (c) => `/tokens/${c.id}`,
      print: (a) => `revoked: ${ApiTokenResponse.parse(a).token.id}`,
      output: ApiTokenResponse,
    },
  ],
};
