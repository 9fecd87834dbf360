/**
 * The Scrapyd adapter is the one place the core's catalogue errors become Scrapyd's texts, and those texts are
 * exactly what Scrapyd clients saw before the core stopped speaking Python (docs/scrapyd-api.md §1.4).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CatalogueError } from '@scrapyard/protocol';
import { badSignal, duplicateJob, reservedArgument } from '../../jobs/job-errors.js';
import {
  emptyVersion,
  listFailed,
  noAgentToList,
  projectNotFound,
  spiderNotFound,
  unsafeName,
  versionNotFound,
} from '../../projects/project-errors.js';
import { BadEggError, NOT_A_ZIP_MESSAGE } from '../../scrapyd/egg-inspect.js';
import { FormError, ParamError } from '../../scrapyd/form.js';
import { MAPPED, messageOf, scrapydTextOf } from './scrapyd-error.js';

/** [what the core raises, the Scrapyd text clients see]: one row per code and rule the adapter maps. */
const TABLE: [CatalogueError, string][] = [
  [projectNotFound('nope'), "project 'nope' not found"],
  [versionNotFound('p', '7'), "version '7' not found"],
  [spiderNotFound('p', 'ghost'), "spider 'ghost' not found"],
  [noAgentToList('p'), 'RunnerError: no agent is online to run scrapy list (start one, or wait for it to reconnect)'],
  [
    listFailed('p', '1', "ModuleNotFoundError: No module named 'scrapy'"),
    "RunnerError: ModuleNotFoundError: No module named 'scrapy'",
  ],
  [unsafeName('project', '../x'), 'DirectoryTraversalError: ../x'],
  [unsafeName('jobid', 'a\u0001b'), 'DirectoryTraversalError: a\u0001b'],
  [reservedArgument('_job'), "TypeError: '_job' is reserved by the daemon and can't be a spider argument"],
  [badSignal('BOOM'), "ValueError: signal 'BOOM' is not one of HUP, INT, KILL, STOP, TERM or a signal number"],
];

/** Errors Scrapyd has no text of its own for: clients see our message as it is. */
const PASSED_THROUGH: [CatalogueError, string][] = [
  [emptyVersion(), 'version is invalid: must not be empty'],
  [
    duplicateJob({ project: 'p', spider: 'slow', uniqueArgs: ['category'], heldBy: { jobId: 'b1', state: 'running' } }),
    'job b1 (running) already has this unique key (spider slow, category); a second one is refused',
  ],
  [new BadEggError(NOT_A_ZIP_MESSAGE, 'not-zip'), NOT_A_ZIP_MESSAGE],
  [new ParamError("'project' parameter is required"), "'project' parameter is required"],
];

void test('every catalogue error the adapter maps becomes the exact Scrapyd text', () => {
  for (const [e, text] of TABLE) {
    assert.equal(scrapydTextOf(e), text, `${e.code} ${JSON.stringify(e.details)}`);
    assert.equal(messageOf(e, true), text);
  }
  // Every code and rule in the adapter's table has a row here (a new mapping needs its text pinned).
  const covered = new Set(TABLE.map(([e]) => (e.code === 'BAD_REQUEST' ? `rule:${String(e.details?.rule)}` : e.code)));
  assert.deepEqual([...covered].sort(), [...MAPPED.codes, ...MAPPED.rules.map((r) => `rule:${r}`)].sort());
});

void test('the core says the same facts in its own words', () => {
  for (const [e, text] of TABLE) {
    assert.doesNotMatch(e.message, /^(RunnerError|DirectoryTraversalError|TypeError|ValueError): /, e.message);
    if (/^(RunnerError|DirectoryTraversalError|TypeError|ValueError): /.test(text)) assert.notEqual(e.message, text);
  }
});

void test('errors Scrapyd has no text for keep their message; the unexpected show their class', () => {
  for (const [e, text] of PASSED_THROUGH) assert.equal(messageOf(e, false), text);
  assert.equal(messageOf(new FormError('bad multipart body'), false), 'FormError: bad multipart body');
  assert.equal(messageOf(new TypeError('x is undefined'), false), 'TypeError: x is undefined');
  assert.match(messageOf(new RangeError('boom'), true), /^RangeError: boom\n[\s\S]*\n\s+at /);
  assert.equal(messageOf('a string', false), 'Error: a string');
});
