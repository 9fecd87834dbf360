import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderJobsPage } from './jobs-page.js';
import type { FinishedRow, JobsPageOptions, PendingRow, RunningRow } from './jobs-page.js';

process.env.TZ = 'UTC';

/*
 * ScrapydWeb's JOB_PATTERN (scrapydweb/utils/poll.py and views/dashboard/jobs.py), a verbose (re.X) Python
 * regex, transcribed without the verbose-mode whitespace. OLD = ScrapydWeb ≤ 1.5.0 (no whitespace allowed
 * between tags); NEW = 1.5.1+ (`\s*` after each tag). Both use `.` (no newline) and no DOTALL.
 */
const CELLS = ['PID', 'Start', 'Runtime', 'Finish', 'Log', 'Items'];
function jobPattern(ws: string): RegExp {
  const td = (name: string) => `<td>(?<${name}>.*?)</td>${ws}`;
  return new RegExp(
    `<tr>${ws}${td('Project')}${td('Spider')}${td('Job')}${CELLS.map((c) => `(?:${td(c)})?`).join('')}[\\w\\W]*?</tr>`,
    'g',
  );
}
const OLD_JOB_PATTERN = jobPattern('');
const NEW_JOB_PATTERN = jobPattern('\\s*');
/** ScrapydWeb's HREF_PATTERN for the Log/Items cells. */
const HREF_PATTERN = /href=['"](.+?)['"]/;

interface ScrapedJob {
  project: string;
  spider: string;
  job: string;
  pid: string;
  start: string;
  runtime: string;
  finish: string;
  log: string;
  items: string;
}

/** What ScrapydWeb does: require `<h1>Jobs</h1>`, drop `<thead>…</thead>`, findall JOB_PATTERN. */
function scrape(html: string, pattern: RegExp): ScrapedJob[] {
  assert.match(html, /<h1>Jobs<\/h1>/);
  const text = html.replace(/<thead>[\s\S]*?<\/thead>/g, '');
  return [...text.matchAll(pattern)].map((m) => {
    const g = m.groups ?? {};
    return {
      project: g['Project'] ?? '',
      spider: g['Spider'] ?? '',
      job: g['Job'] ?? '',
      pid: g['PID'] ?? '',
      start: g['Start'] ?? '',
      runtime: g['Runtime'] ?? '',
      finish: g['Finish'] ?? '',
      log: g['Log'] ?? '',
      items: g['Items'] ?? '',
    };
  });
}

/** ScrapydWeb's state rules: pending = no Start, running = Start without Finish, finished = Finish. */
function state(j: ScrapedJob): 'pending' | 'running' | 'finished' {
  if (!j.start) return 'pending';
  return j.finish ? 'finished' : 'running';
}

const T0 = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
const pending: PendingRow[] = [
  { project: 'proj', spider: 'sp1', id: 'p1' },
  { project: '<b>', spider: 's"q', id: "j'x&" },
];
const running: RunningRow[] = [
  {
    project: 'proj',
    spider: 'sp2',
    id: 'r1',
    pid: 4242,
    startMs: T0,
    logUrl: '/logs/proj/sp2/r1.log',
    itemsUrl: '/items/proj/sp2/r1.jl',
  },
  { project: 'proj', spider: 'sp2', id: 'r2', pid: null, startMs: T0, logUrl: null, itemsUrl: null },
];
const finished: FinishedRow[] = [
  {
    project: 'proj',
    spider: 'sp3',
    id: 'f1',
    startMs: T0,
    endMs: T0 + 86_400_000 + 3_723_500,
    logUrl: '/logs/proj/sp3/f1.log',
    itemsUrl: null,
  },
];

function page(over: Partial<JobsPageOptions> = {}): string {
  return renderJobsPage({
    prefix: '',
    itemsEnabled: true,
    cancelEnabled: true,
    pending,
    running,
    finished,
    now: T0 + 125_900,
    ...over,
  });
}

const VARIANTS = [
  { itemsEnabled: true, cancelEnabled: true, cols: 10 },
  { itemsEnabled: false, cancelEnabled: true, cols: 9 },
  { itemsEnabled: true, cancelEnabled: false, cols: 9 },
  { itemsEnabled: false, cancelEnabled: false, cols: 8 },
];

void test('structure: <body><h1>Jobs</h1>, one table, thead header row, three sections', () => {
  for (const v of VARIANTS) {
    const html = page(v);
    assert.ok(html.includes('<body><h1>Jobs</h1>'));
    assert.equal(html.match(/<table id="jobs">/g)?.length, 1);
    assert.equal(html.match(/<table/g)?.length, 1);
    const thead = /<thead>([\s\S]*?)<\/thead>/.exec(html)?.[1] ?? '';
    const headers = [...thead.matchAll(/<th>(.*?)<\/th>/g)].map((m) => m[1]);
    const expected = ['Project', 'Spider', 'Job', 'PID', 'Start', 'Runtime', 'Finish', 'Log'];
    if (v.itemsEnabled) expected.push('Items');
    if (v.cancelEnabled) expected.push('Cancel');
    assert.deepEqual(headers, expected);
    const bodies = [...html.matchAll(/<tbody>([\s\S]*?)<\/tbody>/g)].map((m) => m[1] ?? '');
    assert.equal(bodies.length, 3);
    bodies.forEach((body, i) => {
      const title = ['Pending', 'Running', 'Finished'][i];
      assert.ok(body.startsWith(`\n<tr><th colspan="${v.cols}">${title}</th></tr>\n`), `${title} section row`);
      // every data row has all the columns
      const rows = [...body.matchAll(/<tr><td>[\s\S]*?<\/tr>/g)].map((m) => m[0]);
      assert.equal(rows.length, [pending, running, finished][i]!.length);
      for (const row of rows) {
        // count cells at top level: the Cancel form contains no <td>
        assert.equal(row.match(/<td>/g)?.length, v.cols, row);
        assert.equal(row.match(/<\/td>/g)?.length, v.cols, row);
        assert.doesNotMatch(row.replace(/<form[\s\S]*?<\/form>/g, ''), />\s+</, 'compact row');
        assert.ok(body.includes(`\n${row}\n`), 'one row per line (apart from the Cancel form)');
      }
    });
  }
});

void test('both ScrapydWeb regexes read every job with the right state and values', () => {
  for (const v of VARIANTS) {
    const html = page(v);
    for (const pattern of [OLD_JOB_PATTERN, NEW_JOB_PATTERN]) {
      const jobs = scrape(html, pattern);
      assert.deepEqual(
        jobs.map((j) => [j.job, state(j)]),
        [
          ['p1', 'pending'],
          ['j&#x27;x&amp;', 'pending'],
          ['r1', 'running'],
          ['r2', 'running'],
          ['f1', 'finished'],
        ],
        `${pattern.source.length} ${JSON.stringify(v)}`,
      );
      const [p1, p2, r1, r2, f1] = jobs as [ScrapedJob, ScrapedJob, ScrapedJob, ScrapedJob, ScrapedJob];
      assert.deepEqual(p1, {
        project: 'proj',
        spider: 'sp1',
        job: 'p1',
        pid: '',
        start: '',
        runtime: '',
        finish: '',
        log: '',
        items: '',
      });
      assert.equal(p2.project, '&lt;b&gt;');
      assert.equal(p2.spider, 's&quot;q');
      assert.equal(r1.pid, '4242', 'poll.py treats a PID as running');
      assert.equal(r1.start, '2024-01-02 03:04:05');
      assert.equal(r1.runtime, '0:02:05');
      assert.equal(r1.finish, '');
      assert.equal(HREF_PATTERN.exec(r1.log)?.[1], '/logs/proj/sp2/r1.log');
      assert.equal(HREF_PATTERN.exec(r1.items)?.[1], v.itemsEnabled ? '/items/proj/sp2/r1.jl' : undefined);
      assert.equal(r2.pid, '');
      assert.equal(r2.log, '');
      assert.equal(f1.pid, '');
      assert.equal(f1.start, '2024-01-02 03:04:05');
      assert.equal(f1.finish, '2024-01-03 04:06:09');
      assert.equal(f1.runtime, '1 day, 1:02:03');
      assert.equal(HREF_PATTERN.exec(f1.log)?.[1], '/logs/proj/sp3/f1.log');
      assert.equal(f1.items, '');
      for (const j of jobs) {
        // datetime.strptime(v, '%Y-%m-%d %H:%M:%S') must accept Start/Finish when present
        for (const t of [j.start, j.finish]) if (t) assert.match(t, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
        // the Cancel form must never be mistaken for the Items cell
        assert.doesNotMatch(j.items + j.log, /form/);
      }
    }
  }
});

void test('cancel form: posts project and job to <prefix>/cancel.json, contains a newline', () => {
  const html = page({ prefix: '/sy', itemsEnabled: false });
  const forms = [...html.matchAll(/<td>(<form[\s\S]*?<\/form>)<\/td>/g)].map((m) => m[1] ?? '');
  assert.equal(forms.length, pending.length + running.length, 'pending and running rows only');
  for (const f of forms) {
    assert.match(f, /^<form method="post" action="\/sy\/cancel\.json"/);
    assert.match(f, /\n/);
    assert.match(f, /<input type="hidden" name="project" value="[^"]*">/);
    assert.match(f, /<input type="hidden" name="job" value="[^"]*">/);
    assert.match(f, /type="submit"/);
  }
  assert.ok(forms[1]!.includes('name="project" value="&lt;b&gt;"'));
  assert.ok(forms[1]!.includes('name="job" value="j&#x27;x&amp;"'));
  assert.ok(html.includes('<a href="/sy/logs/proj/sp2/r1.log">Log</a>'));
});

void test('escaping: no raw markup from names, newline in an id does not hide the row', () => {
  const html = renderJobsPage({
    prefix: '"><i>',
    itemsEnabled: false,
    cancelEnabled: true,
    pending: [{ project: '<b>', spider: '<script>', id: 'a\nb' }],
    running: [],
    finished: [
      {
        project: 'p q',
        spider: 's',
        id: 'x#y?z',
        startMs: T0,
        endMs: T0 + 1000,
        logUrl: '/logs/p q/s/x#y?z.log',
        itemsUrl: null,
      },
    ],
    now: T0,
  });
  assert.ok(!html.includes('<b>'));
  assert.ok(!html.includes('<script>'));
  assert.ok(!html.includes('<i>'));
  for (const pattern of [OLD_JOB_PATTERN, NEW_JOB_PATTERN]) {
    const jobs = scrape(html, pattern);
    assert.equal(jobs.length, 2);
    assert.equal(jobs[0]!.project, '&lt;b&gt;');
    assert.equal(jobs[0]!.job, 'a&#10;b');
    assert.equal(HREF_PATTERN.exec(jobs[1]!.log)?.[1], '&quot;&gt;&lt;i&gt;/logs/p%20q/s/x%23y%3Fz.log');
  }
});

void test('empty page still has the three sections', () => {
  const html = renderJobsPage({
    prefix: '',
    itemsEnabled: false,
    cancelEnabled: false,
    pending: [],
    running: [],
    finished: [],
    now: 0,
  });
  for (const t of ['Pending', 'Running', 'Finished']) assert.ok(html.includes(`<tr><th colspan="8">${t}</th></tr>`));
  assert.equal(scrape(html, NEW_JOB_PATTERN).length, 0);
  assert.equal(scrape(html, OLD_JOB_PATTERN).length, 0);
});
