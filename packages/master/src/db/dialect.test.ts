import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from './database.js';
import { redactDatabaseSecrets, redactDatabaseUrl } from './dialect.js';

const SECRETS = ['pw-in-userinfo', 'pw-in-query', 'ssl-key-pass', 'p@ss w/rd'];

void test('redactDatabaseUrl hides the password in the userinfo and in every password query parameter', () => {
  const urls = [
    'postgres://app:pw-in-userinfo@db.example:5432/scrapyard',
    'postgres://app@db.example/scrapyard?password=pw-in-query',
    'postgresql://app@db.example/scrapyard?sslmode=require&sslpassword=ssl-key-pass',
    'postgres://app@db.example/scrapyard?PASSWORD=pw-in-query&application_name=x',
    'postgres://app:p%40ss%20w%2Frd@db.example/scrapyard?password=p%40ss+w%2Frd',
    'postgres://app:pw-in-userinfo@db.example/scrapyard?password=pw-in-query&password=ssl-key-pass',
  ];
  for (const url of urls) {
    const shown = redactDatabaseUrl(url);
    for (const s of [...SECRETS, encodeURIComponent('p@ss w/rd'), 'p%40ss']) {
      assert.ok(!shown.includes(s), `${shown} still shows ${s}`);
    }
    assert.match(shown, /\*\*\*/);
    assert.match(shown, /db\.example/, 'the host stays visible');
  }
  assert.equal(
    redactDatabaseUrl('postgres://app@db.example/scrapyard?sslmode=require&password=x'),
    'postgres://app@db.example/scrapyard?sslmode=require&password=***',
  );
  assert.equal(redactDatabaseUrl('not a url'), '(unparseable database_url)');
});

void test('redactDatabaseSecrets removes the URL secrets from any text, raw or decoded', () => {
  const url = 'postgres://app:p%40ss%20w%2Frd@h/d?sslpassword=ssl-key-pass';
  const text = 'failed for p@ss w/rd (p%40ss%20w%2Frd) with key ssl-key-pass at h';
  assert.equal(redactDatabaseSecrets(text, url), 'failed for *** (***) with key *** at h');
  assert.equal(redactDatabaseSecrets('nothing secret', 'postgres://app@h/d'), 'nothing secret');
});

void test('a database that cannot be reached is reported without the password, in any form of the URL', async () => {
  const urls = [
    'postgres://app:pw-in-userinfo@127.0.0.1:1/scrapyard',
    'postgres://app@127.0.0.1:1/scrapyard?password=pw-in-query',
    'postgres://app@127.0.0.1:1/scrapyard?sslpassword=ssl-key-pass',
  ];
  for (const databaseUrl of urls) {
    const e = await openDatabase({ dataDir: '/nonexistent', databaseUrl }).then(
      () => assert.fail('opened an unreachable database'),
      (err: unknown) => err as Error,
    );
    assert.match(e.message, /^DATABASE_UNAVAILABLE: cannot reach the database at postgres:\/\/app:?/);
    for (const s of SECRETS) assert.ok(!e.message.includes(s), `${e.message} shows ${s}`);
  }
});
