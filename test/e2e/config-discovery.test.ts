/**
 * Without --config the master reads Scrapyd's configuration files as Scrapyd does, later winning:
 * /etc/scrapyd/scrapyd.conf, /etc/scrapyd/conf.d/* (sorted), ./scrapyd.conf, ~/.scrapyd.conf, the closest
 * scrapy.cfg; and it logs which files it read. /etc is replaced through SCRAPYARD_CONFIG_SEARCH (the test can't
 * write there); the user-level files are found from a real working directory and HOME.
 */
import assert from 'node:assert/strict';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ScrapydClient } from '../helpers/clients.js';
import { logRecords } from '../helpers/cluster.js';
import { startMaster, tempDir } from '../helpers/processes.js';

function write(path: string, lines: string[]): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

void test('the search list: every file read in order, later files winning key by key', async (t) => {
  const root = tempDir(t, 'scrapyard-conf-search-');
  const etc = join(root, 'etc');
  const work = join(root, 'work');
  const home = join(root, 'home');
  const files = [
    write(join(etc, 'scrapyd.conf'), [
      '[scrapyd]',
      'node_name = from-etc',
      'username = operator',
      'password = etc-password',
      '[services]',
      'delversion.json =',
    ]),
    write(join(etc, 'conf.d', '02-first.conf'), ['[scrapyd]', 'node_name = from-02']),
    write(join(etc, 'conf.d', '10-second.conf'), [
      '[scrapyd]',
      'node_name = from-10',
      '[settings]',
      'confd = x.settings',
    ]),
    write(join(work, 'scrapyd.conf'), ['[scrapyd]', 'password = work-password', 'logs_dir = mylogs']),
    write(join(home, '.scrapyd.conf'), ['[scrapyd]', 'node_name = from-home']),
  ];
  // Not read: a dotfile in conf.d (glob skips it) and a directory.
  write(join(etc, 'conf.d', '.hidden.conf'), ['[scrapyd]', 'node_name = hidden']);
  mkdirSync(join(etc, 'conf.d', '50-a-directory'));

  const master = await startMaster(t, {
    cwd: work,
    args: ['--no-local-agent'],
    env: {
      SCRAPYARD_CONFIG_SEARCH: `${etc}/scrapyd.conf:${etc}/conf.d/*:scrapyd.conf:~/.scrapyd.conf`,
      HOME: home,
      SCRAPYARD_NODE_NAME: undefined,
    },
  });
  const [read] = logRecords(master.output(), 'configuration files read (Scrapyd search list)');
  assert.deepEqual(read?.files, files, 'each file once, in order');

  const api = new ScrapydClient(master.url, { username: 'operator', password: 'work-password' });
  const status = await api.get('daemonstatus.json');
  assert.equal(status.node_name, 'from-home', '~/.scrapyd.conf wins over every earlier file');
  const stale = new ScrapydClient(master.url, { username: 'operator', password: 'etc-password' });
  assert.equal((await stale.raw('GET', '/daemonstatus.json')).status, 401, './scrapyd.conf replaced the password');
  assert.equal((await api.raw('POST', '/delversion.json')).status, 404, '[services] of /etc still applies');
  assert.deepEqual((await api.get('listprojects.json')).projects, ['confd'], '[settings] of conf.d applies');
  assert.ok(statSync(join(work, 'mylogs')).isDirectory(), 'a relative logs_dir is relative to the working directory');
});

void test("Scrapyd's own locations: ./scrapyd.conf, ~/.scrapyd.conf and the closest scrapy.cfg", async (t) => {
  const root = tempDir(t, 'scrapyard-conf-default-');
  const project = join(root, 'project');
  const work = join(project, 'deep', 'work');
  const home = join(root, 'home');
  const cfg = write(join(project, 'scrapy.cfg'), [
    '[settings]',
    'default = demo.settings',
    '[deploy]',
    'url = http://localhost:6800/',
  ]);
  const local = write(join(work, 'scrapyd.conf'), ['[scrapyd]', 'node_name = from-cwd']);
  const user = write(join(home, '.scrapyd.conf'), ['[scrapyd]', 'finished_to_keep = 7']);
  const master = await startMaster(t, {
    cwd: work,
    args: ['--no-local-agent'],
    env: { SCRAPYARD_CONFIG_SEARCH: undefined, HOME: home, SCRAPYARD_NODE_NAME: undefined },
  });
  const [read] = logRecords(master.output(), 'configuration files read (Scrapyd search list)');
  const list = read?.files as string[];
  // Whatever /etc/scrapyd holds on this machine comes first; ours are the last three, in Scrapyd's order.
  assert.deepEqual(list.slice(-3), [local, user, cfg]);
  const api = new ScrapydClient(master.url);
  assert.equal((await api.get('daemonstatus.json')).node_name, 'from-cwd');
  // As in Scrapyd, scrapy.cfg's [settings] names an egg-less project.
  assert.ok(((await api.get('listprojects.json')).projects as string[]).includes('default'));
});
