/**
 * `scrapyard-master audit`: who did what, from the running master's audit log (admin credentials, which the
 * commands find on the master host). `audit` alone is `audit list`.
 */
import { AUDIT_ACTOR_KINDS, AuditActionFilter, AuditActorKind, AuditPage, type AuditEntry } from '@scrapyard/protocol';
import { UsageError } from '../errors.js';
import type { Command, Ctx } from '../spec.js';
import { durationValue, table, when } from '../values.js';

const SUMMARY_WIDTH = 60;

/** `--since 1h` (a duration back from now) or an ISO 8601 date, as epoch milliseconds. */
export function timeValue(flag: string, raw: string, now: number): number {
  if (/^\d+[smhd]?$/.test(raw.trim())) return now - durationValue(flag, raw) * 1000;
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) {
    throw new UsageError(`--${flag}: not a duration like 90s, 5m, 2h or 1d, nor an ISO date ('${raw}')`);
  }
  return ms;
}

/** The query of `audit list`, checked before anything is sent. */
function queryOf(c: Ctx): URLSearchParams {
  const q = new URLSearchParams();
  const actor = c.str('actor');
  if (actor !== undefined) q.set('actor', actor);
  const kind = c.str('actor-kind');
  if (kind !== undefined) {
    if (!AuditActorKind.safeParse(kind).success) {
      throw new UsageError(`--actor-kind: one of ${AUDIT_ACTOR_KINDS.join(', ')} ('${kind}')`);
    }
    q.set('actorKind', kind);
  }
  const action = c.str('action');
  if (action !== undefined) {
    if (!AuditActionFilter.safeParse(action).success) {
      throw new UsageError(
        `--action: an action like job.schedule, or a prefix ending with '.' like user. ('${action}')`,
      );
    }
    q.set('action', action);
  }
  const project = c.str('project');
  if (project !== undefined) q.set('project', project);
  const now = Date.now();
  for (const flag of ['since', 'until']) {
    const raw = c.str(flag);
    if (raw !== undefined) q.set(flag, String(timeValue(flag, raw, now)));
  }
  const limit = c.num('limit');
  if (limit !== undefined) {
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError(`--limit: 1 to 1000 (${limit})`);
    q.set('limit', String(limit));
  }
  const before = c.num('before');
  if (before !== undefined) q.set('before', String(before));
  return q;
}

const actorText = (a: AuditEntry['actor']) =>
  `${a.kind}${a.name !== null ? `:${a.name}` : a.id !== null ? `:${a.id}` : ''}`;

function summaryText(s: Record<string, unknown>): string {
  const text = Object.entries(s)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return text.length > SUMMARY_WIDTH ? `${text.slice(0, SUMMARY_WIDTH - 1)}…` : text || '-';
}

function auditTable(page: AuditPage): string {
  if (page.entries.length === 0) return 'no audit entries match';
  const rows = [['TIME', 'ACTOR', 'ADDRESS', 'ACTION', 'PROJECT', 'TARGET', 'SUMMARY']];
  for (const e of page.entries) {
    rows.push([
      when(e.at),
      actorText(e.actor),
      e.address ?? '-',
      e.action,
      e.project ?? '-',
      e.target ?? '-',
      summaryText(e.summary),
    ]);
  }
  const more = page.nextCursor === null ? '' : `\n(older entries: add --before ${page.nextCursor})`;
  return `${table(rows)}${more}`;
}

const FLAGS = ['actor', 'actor-kind', 'action', 'project', 'since', 'until', 'limit', 'before'];

export const AUDIT_COMMAND: Command = {
  name: 'audit',
  summary: 'Reads the audit log: who did what, from where, newest first (admin only). `audit` alone is `audit list`.',
  defaultSub: 'list',
  flags: {
    actor: { type: 'string', arg: 'NAME', help: 'entries of this user, token or built-in user (by name)' },
    'actor-kind': {
      type: 'string',
      arg: 'KIND',
      help: `entries of this kind of actor: ${AUDIT_ACTOR_KINDS.join(', ')}`,
    },
    action: {
      type: 'string',
      arg: 'A',
      help: "this action (job.schedule), or every one of a prefix ending in '.' (user.)",
    },
    project: { type: 'string', arg: 'P', help: 'entries about this project' },
    since: {
      type: 'string',
      arg: 'WHEN',
      help: 'from this time on: a duration back from now (90s, 5m, 1h, 2d) or an ISO date',
    },
    until: { type: 'string', arg: 'WHEN', help: 'before this time (same forms as --since)' },
    limit: { type: 'number', arg: 'N', help: 'entries at most (1 to 1000; default 100)' },
    before: { type: 'number', arg: 'ID', help: 'entries older than this id (the cursor the previous page printed)' },
  },
  subs: [
    {
      name: 'list',
      usage: '[--actor NAME] [--action A] [--project P] [--since WHEN] [--limit N]',
      summary: 'entries with time, actor, address, action, project, target and a summary of the change',
      flags: FLAGS,
      method: 'GET',
      path: (c) => {
        const q = queryOf(c).toString();
        return q === '' ? '/audit' : `/audit?${q}`;
      },
      print: (a) => auditTable(AuditPage.parse(a)),
      output: AuditPage,
    },
  ],
  notes: 'The JSON answer (--json) carries `nextCursor`: pass it as --before for the next page.',
};
