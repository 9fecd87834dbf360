/**
 * schedule.json throughput under 16 connections with each kind of credential, in one run: no auth (a master without
 * credentials, Scrapyd's default), basic auth with a password, an API token as bearer, and the same token as the
 * basic-auth password (what scrapyd-deploy and ScrapydWeb send). A repeat starts fresh masters, two per case
 * (SQLite, one slot kept busy by a blocker crawl so every request only queues a job): identical masters differ by
 * up to ±5 % in req/s, which one master per case made the bench's noise. It then loads them in turn, 2 s each,
 * several rounds in a rotating order (each round a case's other master), so that a machine shared with other work
 * (whose load changes by the second) weighs on every case alike: each repeat gives each case's ratio to no auth
 * measured in the same seconds; the table shows the medians over the repeats. Target: each ≥ 90 %. Beside it, the
 * master's CPU time per request against no auth's (a ratio that holds even when the master gets little of the
 * machine: what auth costs per request, not how much CPU the master was given).
 *
 * Password cases: the config's built-in pair, and a real user (created through the REST API, its password
 * verified by scrypt once by a first request before the window, then answered from the verified-credential cache).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreatedApiToken } from '@scrapyard/protocol';
import { buildEgg } from '../test/helpers/eggs.js';
import { cpuTicks, loadGenerator, median, startMaster, stop, waitFor, type Master } from './lib.js';

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

/** A fresh master for a case, its blocker crawl running, and the Authorization header the case sends. */
async function masterFor(c: Case): Promise<{ m: Master; authorization: string | undefined }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-auth-'));
  const credentials: Record<string, string> =
    c === 'none' ? {} : { SCRAPYARD_USERNAME: ADMIN.username, SCRAPYARD_PASSWORD: ADMIN.password };
  let m: Master | undefined;
  try {
    m = await startMaster(dataDir, { SCRAPYARD_MAX_PROC: '1', ...credentials });
    const admin = c === 'none' ? undefined : basic(ADMIN.username, ADMIN.password);
    const fd = new FormData();
    fd.append('project', 'demo');
    fd.append('version', '1');
    fd.append('egg', new Blob([await buildEgg('demo')]), 'demo.egg');
    const deployed = await call(m.url, '/addversion.json', admin, { method: 'POST', body: fd });
    if (deployed.status !== 'ok') throw new Error(`deploy failed: ${JSON.stringify(deployed)}`);
    const form = new URLSearchParams({ project: 'demo', spider: 'slow', seconds: '600' });
    await call(m.url, '/schedule.json', admin, { method: 'POST', body: form });
    const url = m.url;
    await waitFor(async () => (await call(url, '/daemonstatus.json', admin)).running === 1, 30_000, 'blocker');
    const authorization = await credentialOf(c, m.url, admin ?? '');
    // The client's first request, before the measured window: a user's password is verified by scrypt once
    // (~0.35 s of a core and 128 MiB), a token read once; what the target is about is every request after it.
    const first = await fetch(`${url}/daemonstatus.json`, { headers: authorization ? { authorization } : {} });
    if (!first.ok) throw new Error(`${c}: the first request was answered ${first.status}`);
    return { m, authorization };
  } catch (e) {
    if (m) await stopMaster(m);
    else rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
}

async function stopMaster(m: Master): Promise<void> {
  await stop(m);
  rmSync(m.dataDir, { recursive: true, force: true });
}

const SLICE_SECONDS = 2;
/** Masters started per case in a repeat; the slices of a case go to them in turn. */
const MASTERS_PER_CASE = 2;

interface Measured {
  rps: number;
  /** Master CPU ticks per 1,000 requests. */
  cpu: number;
}

/** One repeat: each case's req/s over the same rounds (`slices` turns of SLICE_SECONDS each, order rotated). */
async function repeat(cases: Case[], first: number, slices: number): Promise<Map<Case, Measured>> {
  const masters = new Map<Case, Awaited<ReturnType<typeof masterFor>>[]>();
  try {
    for (let i = 0; i < MASTERS_PER_CASE; i++) {
      for (const c of cases) masters.set(c, [...(masters.get(c) ?? []), await masterFor(c)]);
    }
    const requests = new Map<Case, number>(cases.map((c) => [c, 0]));
    const ticks = new Map<Case, number>(cases.map((c) => [c, 0]));
    for (let s = 0; s < slices; s++) {
      const k = (first + s) % cases.length;
      for (const c of [...cases.slice(k), ...cases.slice(0, k)]) {
        const { m, authorization } = masters.get(c)![s % MASTERS_PER_CASE]!;
        const t0 = cpuTicks(m.proc.pid!);
        const r = await loadGenerator(`${m.url}/schedule.json`, SLICE_SECONDS, authorization ? { authorization } : {});
        ticks.set(c, ticks.get(c)! + cpuTicks(m.proc.pid!) - t0);
        if (r.non2xx > 0 || r.errors > 0) throw new Error(`${c}: ${r.non2xx} non-2xx answers and ${r.errors} errors`);
        requests.set(c, requests.get(c)! + r.requests.average);
      }
    }
    return new Map(
      cases.map((c) => {
        const rps = requests.get(c)! / slices;
        return [c, { rps, cpu: (1000 * ticks.get(c)!) / (rps * slices * SLICE_SECONDS) }];
      }),
    );
  } finally {
    for (const { m } of [...masters.values()].flat()) await stopMaster(m);
  }
}

/** Medians over the repeats: req/s, its ratio to no auth, and no auth's CPU per request over the case's. */
export type AuthThroughput = Record<Case, { rps: number; ratio: number; cpuRatio: number } | null>;

export async function authThroughput(o: { runs: number; quick: boolean }): Promise<AuthThroughput> {
  const cases: Case[] = ['none', 'config-pair', 'user-password', 'token-bearer', 'token-basic'];
  const rps = new Map<Case, number[]>(cases.map((c) => [c, []]));
  const ratios = new Map<Case, number[]>(cases.map((c) => [c, []]));
  const cpuRatios = new Map<Case, number[]>(cases.map((c) => [c, []]));
  for (let i = 0; i < o.runs; i++) {
    const got = await repeat(cases, i, o.quick ? 2 : 4);
    const none = got.get('none')!;
    for (const c of cases) {
      rps.get(c)!.push(got.get(c)!.rps);
      ratios.get(c)!.push(got.get(c)!.rps / none.rps);
      cpuRatios.get(c)!.push(none.cpu / got.get(c)!.cpu);
    }
  }
  const of = (c: Case) => ({
    rps: median(rps.get(c)!),
    ratio: median(ratios.get(c)!),
    cpuRatio: median(cpuRatios.get(c)!),
  });
  return {
    none: of('none'),
    'config-pair': of('config-pair'),
    'user-password': of('user-password'),
    'token-bearer': of('token-bearer'),
    'token-basic': of('token-basic'),
  };
}

/** The rows of the bench table: req/s, the median of the ratios to no auth in the same repeats, target. */
export function authThroughputRows(r: AuthThroughput): [string, string, string, string, string][] {
  const base = r.none?.rps ?? NaN;
  const row = (label: string, v: AuthThroughput[Case]): [string, string, string, string, string] =>
    v === null
      ? [label, 'not measured', '', '', '≥ ×0.90']
      : [
          label,
          v.rps.toFixed(0),
          `no auth ${base.toFixed(0)}`,
          `×${v.ratio.toFixed(2)} (CPU/request ×${v.cpuRatio.toFixed(2)})`,
          '≥ ×0.90',
        ];
  return [
    row('schedule.json, basic auth: config pair (req/s)', r['config-pair']),
    row("schedule.json, basic auth: a user's password", r['user-password']),
    row('schedule.json, API token as bearer', r['token-bearer']),
    row('schedule.json, API token as basic password', r['token-basic']),
  ];
}
