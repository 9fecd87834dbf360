/**
 * The layering lint rules of eslint.config.js: a feature module importing routes/ or Scrapyd's wire format is
 * refused with the rule's message, composition may wire both, and the real tree keeps to them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('../../../', import.meta.url));
// The import rules alone, without type information: the fixture is linted under a path no tsconfig lists.
const eslint = new ESLint({
  cwd: root,
  overrideConfig: { languageOptions: { parserOptions: { project: null } } },
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
});
const fixture = readFileSync(join(root, 'test/fixtures/lint/forbidden-import.ts'), 'utf8');

async function lintAs(file: string): Promise<string[]> {
  const [result] = await eslint.lintText(fixture, { filePath: join(root, 'packages/master/src', file) });
  return result!.messages.map((m) => `${m.line}: ${m.ruleId ?? 'fatal'}: ${m.message}`);
}

void test('a feature module may not import routes/ nor the Scrapyd wire format', async () => {
  const restricted = (line: number, source: string, why: string) =>
    `${line}: no-restricted-imports: '${source}' import is restricted from being used by a pattern. ${why}`;
  const http = 'a feature module takes typed input from its route and never imports routes/ (only compose/ wires them)';
  const scrapyd = "Scrapyd's wire format stays in routes/scrapyd and the Scrapyd adapter (scrapyd-service)";
  for (const folder of ['jobs', 'schedules', 'deliveries', 'alerts', 'services', 'db', 'auth']) {
    assert.deepEqual(await lintAs(`${folder}/forbidden-import.ts`), [
      restricted(3, '../routes/api/errors.js', http),
      restricted(4, '../scrapyd/py-json.js', scrapyd),
      restricted(5, '../services/scrapyd-service.js', scrapyd),
    ]);
  }
});

void test('composition may wire routes and the Scrapyd adapter', async () => {
  assert.deepEqual(await lintAs('compose/forbidden-import.ts'), []);
});

void test('the sources as they are keep the layering', async () => {
  const results = await eslint.lintFiles(['packages/*/src/**/*.ts']);
  assert.ok(results.length > 100, `only ${results.length} files linted`);
  const problems = results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line} ${m.message}`));
  assert.deepEqual(problems, []);
});
