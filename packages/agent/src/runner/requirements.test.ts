import assert from 'node:assert/strict';
import { test } from 'node:test';
import { refusedRequirement } from './requirements.js';

const off = { allowDirectUrls: false };
const on = { allowDirectUrls: true };

void test('plain specifiers pass, with extras, versions and markers', () => {
  for (const req of [
    'scrapy',
    'scrapy>=2.8',
    'requests[socks]==2.31.0',
    'lxml; python_version >= "3.9"',
    'a.b_c-d~=1.0',
  ]) {
    assert.equal(refusedRequirement([req], off), null, req);
  }
  assert.equal(refusedRequirement([], off), null);
});

void test('direct references are refused unless allowed', () => {
  const direct = [
    'scrapyard-testdep @ file:///wheels/scrapyard_testdep-1.0-py3-none-any.whl',
    'pkg@https://example.com/pkg.tar.gz',
    'pkg [extra] @ git+https://github.com/o/r.git',
    'git+https://github.com/o/r.git#egg=r',
    'hg+https://example.com/r',
    'https://example.com/pkg-1.0.tar.gz',
    'file:///tmp/pkg.whl',
    './local/pkg',
    '/abs/pkg',
    '~/pkg',
  ];
  for (const req of direct) {
    assert.match(
      String(refusedRequirement(['scrapy', req], off)),
      /direct URL, VCS or path reference: refused because pipAllowDirectUrls is off/,
      req,
    );
    assert.equal(refusedRequirement([req], on), null, req);
  }
});

void test('pip options are refused even when direct references are allowed', () => {
  for (const req of ['--index-url=https://evil.example/simple', '-e git+https://x/y', ' -r other.txt']) {
    assert.match(String(refusedRequirement([req], on)), /looks like a pip option/, req);
  }
});
