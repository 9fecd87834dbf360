import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHtml, escapeHtmlLine } from './escape.js';

void test('escapeHtml matches Python html.escape(s, quote=True)', () => {
  assert.equal(
    escapeHtml(`<a href="x">Tom & Jerry's</a>`),
    '&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#x27;s&lt;/a&gt;',
  );
  assert.equal(escapeHtml('&amp;'), '&amp;amp;', 'not idempotent, like Python');
  assert.equal(escapeHtml('plain é 名前'), 'plain é 名前');
  assert.equal(escapeHtml('a\nb'), 'a\nb');
});

void test('escapeHtmlLine also turns CR/LF into character references', () => {
  assert.equal(escapeHtmlLine('a\r\n<b>'), 'a&#13;&#10;&lt;b&gt;');
});
