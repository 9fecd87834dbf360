/**
 * schedule.json throughput under 16 connections with each kind of credential, in one run: no auth (a master without
 * credentials, Scrapyd's default), basic auth with a password, an API token as bearer, and the same token as the
 * basic-auth password (what scrapyd-deploy and ScrapydWeb send). Each case is a fresh master (SQLite, one slot kept
 * busy by a blocker crawl so every request only queues a job), the cases rotated between repeats so a drift of
 * the machine favours none; medians over the repeats and the ratio to no auth. Target: each ≥ 90 %.
 *
 * Password cases: the config's built-in pair, and a real user (created through the REST API, its password
 * verified by scrypt once, then answered from the verified-credential cache).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreatedApiToken } from '@scrapyard/protocol';
import { buildEgg } from '../test/helpers/eggs.js';
import { loadGenerator, median, startMaster, stop, waitFor } from './lib.js';

const ADMIN = { username: 'bench-admin', password: 'bench-admin-password-0123' };
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

/** A maintainer of demo, created by the admin through the REST API; its Authorization header. */
async function userPassword(url: string, admin: string): Promise<string> {
  const user = { name: 'bench-user', password: 'bench-user-password-0123' };
  await call(url, '/api/v1/users', admin, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...user, grants: [{ role: 'maintainer', projects: ['demo'] }] }),
  });
  return basic(user.name, user.password);
}

type Case = 'none' | 'config-pair' | 'user-password' | 'token-bearer' | 'token-basic';

async function call(url: string, path: string, authorization: string | undefined, init: RequestInit = {}) {
  const headers = { ...(authorization ? { authorization } : {}), ...(init.headers as Record<string, string>) };
  const r = await fetch(`${url}${path}`, { ...init, headers });
  return (await r.json()) as Record<string, unknown>;
}

/** The Authorization header of a case on a master whose config pair is ADMIN. */
async function credentialOf(c: Case, url: string, admin: string): Promise<string | undefined> {
  switch (c) {
    case 'none':
      return undefined;
    case 'config-pair':
      return admin;
    case 'user-password':
      return userPassword(url, admin);
    case 'token-bearer':
    case 'token-basic': {
      const created = CreatedApiToken.parse(
        await call(url, '/api/v1/tokens', admin, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'bench', role: 'operator', projects: ['demo'] }),
        }),
      );
      return c === 'token-bearer' ? `Bearer ${created.secret}` : basic('scrapyd-deploy', created.secret);
    }
  }
}

async function once(c: Case, seconds: number): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-auth-'));
  const credentials: Record<string, string> =
    c === 'none' ? {} : { SCRAPYARD_USERNAME: ADMIN.username, SCRAPYARD_PASSWORD: ADMIN.password };
  const m = await startMaster(dataDir, { SCRAPYARD_MAX_PROC: '1', ...credentials });
  try {
    const admin = c === 'none' ? undefined : basic(ADMIN.username, ADMIN.password);
    const fd = new FormData();
    fd.append('project', 'demo');
    fd.append('version', '1');
    fd.append('egg', new Blob([await buildEgg('demo')]), 'demo.egg');
    const deployed = await call(m.url, '/addversion.json', admin, { method: 'POST', body: fd });
    if (deployed.status !== 'ok') throw new Error(`deploy failed: ${JSON.stringify(deployed)}`);
    const form = new URLSearchParams({ project: 'demo', spider: 'slow', seconds: '120' });
    await call(m.url, '/schedule.json', admin, { method: 'POST', body: form });
    await waitFor(async () => (await call(m.url, '/daemonstatus.json', admin)).running === 1, 30_000, 'blocker');
    const authorization = await credentialOf(c, m.url, admin ?? '');
    const r = await loadGenerator(`${m.url}/schedule.json`, seconds, authorization ? { authorization } : {});
    if (r.non2xx > 0 || r.errors > 0) throw new Error(`${c}: ${r.non2xx} non-2xx answers and ${r.errors} errors`);
    return r.requests.average;
  } finally {
    await stop(m);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export type AuthThroughput = Record<Case, number | null>;

export async function authThroughput(o: { runs: number; quick: boolean }): Promise<AuthThroughput> {
  const cases: Case[] = ['none', 'config-pair', 'user-password', 'token-bearer', 'token-basic'];
  const rps = new Map<Case, number[]>(cases.map((c) => [c, []]));
  for (let i = 0; i < o.runs; i++) {
    const order = [...cases.slice(i % cases.length), ...cases.slice(0, i % cases.length)];
    for (const c of order) rps.get(c)!.push(await once(c, o.quick ? 3 : 8));
  }
  const of = (c: Case) => (rps.has(c) ? median(rps.get(c)!) : null);
  return {
    none: of('none'),
    'config-pair': of('config-pair'),
    'user-password': of('user-password'),
    'token-bearer': of('token-bearer'),
    'token-basic': of('token-basic'),
  };
}

/** The rows of the bench table: req/s, ratio to no auth, target. */
export function authThroughputRows(r: AuthThroughput): [string, string, string, string, string][] {
  const base = r.none ?? NaN;
  const row = (label: string, v: number | null): [string, string, string, string, string] =>
    v === null
      ? [label, 'not measured', '', '', '≥ ×0.90']
      : [label, v.toFixed(0), `no auth ${base.toFixed(0)}`, `×${(v / base).toFixed(2)}`, '≥ ×0.90'];
  return [
    row('schedule.json, basic auth: config pair (req/s)', r['config-pair']),
    row("schedule.json, basic auth: a user's password", r['user-password']),
    row('schedule.json, API token as bearer', r['token-bearer']),
    row('schedule.json, API token as basic password', r['token-basic']),
  ];
}
