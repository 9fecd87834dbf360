/**
 * The real scrapyd-deploy (scrapyd-client 2.0.3, vendored unmodified in test/fixtures/scrapyd-client) deploying a
 * fixture project: a copy of it with a `[deploy]` target in its scrapy.cfg, built and uploaded as a user does.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { FixtureProject } from './eggs.js';
import { tempDir } from './processes.js';
import { copySources, FIXTURES_DIR, PYTHON } from './python.js';

export interface DeployRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function scrapydDeploy(
  t: TestContext,
  o: { url: string; username: string; password: string; project?: FixtureProject; version: string },
): Promise<DeployRun> {
  const project = o.project ?? 'demo';
  const dir = join(tempDir(t, 'scrapyard-deploy-'), project);
  await copySources(join(FIXTURES_DIR, 'projects', project), dir);
  writeFileSync(
    join(dir, 'scrapy.cfg'),
    `[settings]\ndefault = ${project}.settings\n\n[deploy]\nurl = ${o.url}/\nproject = ${project}\n` +
      `username = ${o.username}\npassword = ${o.password}\n`,
  );
  const env = {
    ...process.env,
    PYTHONPATH: join(FIXTURES_DIR, 'scrapyd-client'),
    PYTHONDONTWRITEBYTECODE: '1',
    PIP_NO_INDEX: '1',
  };
  return new Promise((resolve) => {
    execFile(
      PYTHON,
      ['-m', 'scrapyd_client.deploy', '--version', o.version],
      { cwd: dir, env, timeout: 120_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}
