/**
 * How a refused request is answered, in its surface's dialect. The Scrapyd surface: Twisted's exact 401 page to
 * whoever is no Scrapyd user at all (no credentials, wrong ones, a metrics or node credential), and Scrapyd's
 * error object with a 403 to a user whose role is too small. The REST, agent and metrics surfaces:
 * `{"error":{code,message}}`, 401 with WWW-Authenticate without credentials, 403 FORBIDDEN naming the action and
 * the role ("a viewer of project a may not schedule jobs") with them.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CatalogueError, Grant, TokenRole } from '@scrapyard/protocol';
import { UNAUTHORIZED_REPLY } from '../scrapyd/basic-auth.js';
import type { AccessRule } from './access-rules.js';
import type { Authenticator, Principal } from './authenticator.js';
import { grantsOf } from './principal.js';
import { sessionSecretIn } from './session-cookie.js';
import { ACTIONS, grantsAllow, type Action } from './roles.js';

/**
 * A request of a page's script (the web UI's fetch, its event stream) or one carrying a browser session's cookie
 * (ended since): a Basic challenge would make the browser hold the request and pop its own password dialog over the
 * page, so these are challenged with Bearer only and the UI shows its login page. A browser sends Sec-Fetch-Site
 * (Node's fetch sends only Sec-Fetch-Mode: such a client keeps its Basic challenge).
 */
function fromTheWebUi(req: FastifyRequest): boolean {
  const { 'sec-fetch-mode': mode, 'sec-fetch-site': site } = req.headers;
  const script = typeof site === 'string' && typeof mode === 'string' && mode !== 'navigate';
  return script || sessionSecretIn(req.headers.cookie) !== undefined;
}

export interface Refusal {
  principal: Principal;
  rule: AccessRule;
  /** The action refused; null: the route wants an agent session, or just someone signed in. */
  action: Action | null;
  /** The project it was refused on; null: a resource of every project. */
  project?: string | null;
}

/**
 * A name or address locked by the login limiter, or too many password checks at once (TOO_MANY_LOGINS): 429 with
 * Retry-After, the same whether the user exists; in Scrapyd's dialect on its surface.
 */
export async function tooManyLogins(
  req: FastifyRequest,
  reply: FastifyReply,
  e: CatalogueError,
  rule: AccessRule,
): Promise<void> {
  const retry = String(e.details?.retryAfterSeconds ?? 1);
  reply.code(429).header('retry-after', retry);
  req.log.warn({ url: req.url.split('?')[0]?.slice(0, 300), address: req.ip }, 'login refused: too many failures');
  if ('surface' in rule && rule.surface === 'scrapyd') {
    await reply.send({ status: 'error', message: e.message });
    return;
  }
  await reply.send({ error: { code: e.code, message: e.message, details: e.details } });
}

export async function refuse(auth: Authenticator, req: FastifyRequest, reply: FastifyReply, r: Refusal): Promise<void> {
  const { principal, rule, action } = r;
  const path = req.url.split('?')[0];
  if (principal.kind !== 'anonymous') {
    const project = r.project?.slice(0, 200);
    req.log.warn({ principal: principal.kind, action, project, url: path?.slice(0, 300) }, 'request refused');
  }
  if ('surface' in rule && rule.surface === 'scrapyd') {
    // A Scrapyd client reads 401 as "wrong credentials": so it is for anyone who can't use this API at all.
    if (!grantsAllow(grantsOf(principal), 'read')) {
      await reply.code(401).headers(UNAUTHORIZED_REPLY.headers).send(UNAUTHORIZED_REPLY.body);
      return;
    }
    await reply.code(403).send({ status: 'error', message: forbiddenMessage(r) });
    return;
  }
  if (principal.kind === 'anonymous') {
    const basic = !auth.open && !fromTheWebUi(req);
    const challenges = [...(basic ? ['Basic realm="Scrapyard"'] : []), 'Bearer realm="Scrapyard"'];
    await reply
      .code(401)
      .header('www-authenticate', challenges.join(', '))
      .send({ error: { code: 'UNAUTHORIZED', message: unauthorizedMessage(auth, req.method, r) } });
    return;
  }
  await reply.code(403).send({ error: { code: 'FORBIDDEN', message: forbiddenMessage(r) } });
}

const ROLE_NAMES: Record<TokenRole, string> = {
  admin: 'an admin',
  maintainer: 'a maintainer',
  operator: 'an operator',
  viewer: 'a viewer',
  metrics: 'a metrics reader',
};

const grantText = (g: Grant) =>
  `${ROLE_NAMES[g.role]} of ${g.projects === '*' ? 'every project' : `project${g.projects.length > 1 ? 's' : ''} ${g.projects.join(', ')}`}`;

/** Who the caller is, by role: "a viewer of project a and an operator of projects b, c". */
export function describeCaller(p: Principal): string {
  switch (p.kind) {
    case 'node':
      return 'an agent node';
    case 'anonymous':
      return 'an anonymous caller';
    default: {
      const grants = grantsOf(p);
      if (grants.length === 0) return `a ${p.kind} with no role`;
      return grants.map(grantText).join(' and ');
    }
  }
}

/** A name as a refusal echoes it: an oversized one (no valid name is) is not sent back whole. */
const shown = (name: string) => (name.length > 200 ? `${name.slice(0, 40)}… (${name.length} characters)` : name);

export function forbiddenMessage(r: Refusal): string {
  if (r.action === null) return `${describeCaller(r.principal)} may not download eggs: that needs an agent session`;
  const where =
    r.project === undefined
      ? ''
      : r.project === null
        ? ' that cover every project (that needs the role on every project)'
        : ` in project ${shown(r.project)}`;
  return `${describeCaller(r.principal)} may not ${ACTIONS[r.action].does}${where}`;
}

function unauthorizedMessage(auth: Authenticator, method: string, { rule, action }: Refusal): string {
  if ('signedIn' in rule) return 'missing or wrong credentials';
  if (action === null) return 'missing or invalid agent session token';
  if (action === 'metrics') {
    return 'missing or wrong credentials: the metrics token (`Authorization: Bearer <metrics_token>`) or HTTP basic auth';
  }
  if (action === 'read' && (method === 'GET' || method === 'HEAD')) {
    return 'missing or wrong credentials (HTTP basic auth)';
  }
  const token =
    'the admin token (`Authorization: Bearer <token>`, the content of <data_dir>/admin-token on the master host, ' +
    'which `scrapyard-master node …` sends)';
  const what = method === 'GET' || method === 'HEAD' ? 'this call needs' : 'this call changes state: it needs';
  return auth.open ? `${what} ${token}` : `${what} basic-auth credentials, an API token or ${token}`;
}
