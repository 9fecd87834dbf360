import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobSpec } from '@scrapyard/protocol';
import { crawlArgs, crawlVars, runFiles } from './crawl-command.js';

const spec: JobSpec = {
  runId: 'a'.repeat(32),
  jobId: 'job1',
  project: 'demo',
  spider: 'quick',
  version: '1_0',
  eggDigest: 'b'.repeat(64),
  eggSize: 10,
  settingsModule: null,
  requirements: [],
  settings: [
    ['DOWNLOAD_DELAY', '2'],
    ['LOG_FILE', 'user-tries-to-override'],
  ],
  args: [
    ['arg', 'x=y'],
    ['_job', 'job1'],
  ],
  log: true,
  items: true,
  feedUri: null,
  pinnedVersion: null,
};
const files = runFiles('/data/runs', spec.runId);

void test('user settings come first so the daemon LOG_FILE/FEEDS/JOBDIR win; args include _job', () => {
  const argv = crawlArgs(spec, files, '/data/jobs');
  assert.deepEqual(argv.slice(0, 2), ['crawl', 'quick']);
  const settings = argv.flatMap((a, i) => (argv[i - 1] === '-s' ? [a] : []));
  assert.deepEqual(settings, [
    'DOWNLOAD_DELAY=2',
    'LOG_FILE=user-tries-to-override',
    `LOG_FILE=${files.log}`,
    `FEEDS={"file://${files.items}":{"format":"jsonlines"}}`,
    'JOBDIR=/data/jobs/demo/quick/job1',
  ]);
  const args = argv.flatMap((a, i) => (argv[i - 1] === '-a' ? [a] : []));
  assert.deepEqual(args, ['arg=x=y', '_job=job1']);
});

void test('no LOG_FILE when logs are off; a remote feed URI is used as is', () => {
  const argv = crawlArgs({ ...spec, log: false, items: false, feedUri: 's3://bucket/p/demo/quick/job1.jl' }, files, '');
  assert.ok(!argv.some((a) => a.startsWith('LOG_FILE=/data')));
  assert.ok(argv.includes('FEEDS={"s3://bucket/p/demo/quick/job1.jl":{"format":"jsonlines"}}'));
  assert.ok(!argv.some((a) => a.startsWith('JOBDIR=')));
});

void test('SCRAPYD_EGG_VERSION only when the schedule pinned a version', () => {
  const unpinned = crawlVars(spec, '/eggs/x.egg', files);
  assert.equal(unpinned.SCRAPYD_EGG_VERSION, undefined);
  assert.equal(unpinned.SCRAPY_PROJECT, 'demo');
  assert.equal(unpinned.SCRAPYARD_EGG_PATH, '/eggs/x.egg');
  assert.equal(unpinned.SCRAPYD_JOB, 'job1');
  assert.equal(crawlVars({ ...spec, pinnedVersion: '1.0' }, '/e', files).SCRAPYD_EGG_VERSION, '1.0');
});
