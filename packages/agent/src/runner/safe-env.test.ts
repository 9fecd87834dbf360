import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withoutDaemonSecrets } from './safe-env.js';

void test("the daemons' credentials never reach crawl code; everything else does", () => {
  const env = {
    PATH: '/usr/bin',
    HOME: '/home/x',
    HTTP_PROXY: 'http://proxy:3128',
    SCRAPY_SETTINGS_MODULE: 'demo.settings',
    SCRAPYD_EGG_VERSION: '1',
    SCRAPYARD_DATA_DIR: '/var/lib/scrapyard',
    SCRAPYARD_LOG_LEVEL: 'info',
    SCRAPYD_USERNAME: 'admin',
    SCRAPYD_PASSWORD: 'hunter2',
    SCRAPYARD_PASSWORD: 'hunter2',
    SCRAPYARD_TEMPORARY_NODE_SECRET: 's'.repeat(40),
    SCRAPYARD_ADMIN_TOKEN: 't',
    SCRAPYARD_TLS_KEY: '/etc/ssl/key.pem',
    scrapyard_db_password: 'lower-case too',
  };
  assert.deepEqual(withoutDaemonSecrets(env), {
    PATH: '/usr/bin',
    HOME: '/home/x',
    HTTP_PROXY: 'http://proxy:3128',
    SCRAPY_SETTINGS_MODULE: 'demo.settings',
    SCRAPYD_EGG_VERSION: '1',
    SCRAPYARD_DATA_DIR: '/var/lib/scrapyard',
    SCRAPYARD_LOG_LEVEL: 'info',
  });
  assert.equal(env.SCRAPYD_PASSWORD, 'hunter2', 'the input is not modified');
});
