/**
 * The environment crawl code runs with. Crawls, pip and `scrapy list` execute code from uploaded eggs, so they must
 * not inherit the daemons' credentials: in standalone mode the embedded agent runs inside the master, whose
 * environment may hold SCRAPYD_PASSWORD or SCRAPYARD_* secrets, and a remote agent's may hold its own.
 */

/** Names of variables that carry a daemon credential. */
export function isDaemonSecret(name: string): boolean {
  const n = name.toUpperCase();
  if (n === 'SCRAPYD_PASSWORD' || n === 'SCRAPYD_USERNAME') return true;
  return (n.startsWith('SCRAPYARD_') || n.startsWith('SCRAPYD_')) && /SECRET|PASSWORD|TOKEN|KEY|CREDENTIAL/.test(n);
}

/** A copy of `env` without the daemons' credentials. */
export function withoutDaemonSecrets(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (!isDaemonSecret(k)) out[k] = v;
  return out;
}
