import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderHomePage } from './home-page.js';

void test('home page links and sorted, escaped project list', () => {
  const html = renderHomePage({
    prefix: '/scrapyd',
    projects: ['zeta', '<b>', 'alpha'],
    itemsEnabled: true,
    nodeName: 'n1',
  });
  assert.match(html, /href="\/scrapyd\/jobs"/);
  assert.match(html, /href="\/scrapyd\/logs\/"/);
  assert.match(html, /href="\/scrapyd\/items\/"/);
  assert.match(html, /<a href="\/scrapyd\/ui\/">Web UI<\/a>/);
  assert.ok(html.includes('<p>Scrapy projects:</p>\n<ul><li>&lt;b&gt;</li><li>alpha</li><li>zeta</li></ul>'));
  assert.match(html, /Scrapyard/);
  assert.match(html, /Scrapyd-compatible/);
  assert.ok(!html.includes('<b>'));
});

void test('home page without items or projects', () => {
  const html = renderHomePage({ prefix: '', projects: [], itemsEnabled: false, nodeName: 'n1' });
  assert.match(html, /href="\/jobs"/);
  assert.match(html, /href="\/logs\/"/);
  assert.doesNotMatch(html, /\/items\//);
  assert.match(html, /<p>No Scrapy projects yet\.<\/p>/);
  assert.doesNotMatch(html, /Scrapy projects:/);
});

void test('a hostile prefix header cannot break out of the attribute', () => {
  const html = renderHomePage({ prefix: '"><script>', projects: [], itemsEnabled: false, nodeName: '<x>' });
  assert.ok(!html.includes('<script>'));
  assert.ok(!html.includes('<x>'));
});
