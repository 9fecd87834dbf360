import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csrfRefusal, type CsrfRequest } from './csrf.js';

const TOKEN = 'the-session-csrf-token';
const base: CsrfRequest = {
  method: 'POST',
  host: 'master.example:6800',
  origin: undefined,
  fetchSite: undefined,
  token: undefined,
};

void test('the CSRF decision table of cookie-carried requests', () => {
  const rows: [Partial<CsrfRequest>, string | null][] = [
    // Reads never change state.
    [{ method: 'GET' }, null],
    [{ method: 'HEAD', fetchSite: 'cross-site' }, null],
    [{ method: 'OPTIONS' }, null],
    // Fetch Metadata first: same-origin and user-typed pass, other sites don't (even with the right token).
    [{ fetchSite: 'same-origin' }, null],
    [{ fetchSite: 'none' }, null],
    [{ fetchSite: 'same-site' }, 'Sec-Fetch-Site: same-site'],
    [{ fetchSite: 'cross-site', token: TOKEN }, 'Sec-Fetch-Site: cross-site'],
    [{ fetchSite: 'cross-site', origin: 'http://master.example:6800' }, 'Sec-Fetch-Site: cross-site'],
    // Then Origin: the master's own (its Host, or public_url), nothing else.
    [{ origin: 'http://master.example:6800' }, null],
    [{ origin: 'https://master.example:6800' }, null],
    [{ origin: 'https://scrapyard.example.com' }, null],
    [{ origin: 'http://evil.example' }, 'Origin http://evil.example'],
    [{ origin: 'null' }, 'Origin null'],
    [{ origin: 'http://master.example:6800/path' }, 'Origin http://master.example:6800/path'],
    [{ method: 'DELETE', origin: 'http://master.example' }, 'Origin http://master.example'],
    // Neither: the token.
    [{}, 'no Sec-Fetch-Site, Origin or X-CSRF-Token header'],
    [{ token: TOKEN }, null],
    [{ method: 'PATCH', token: TOKEN }, null],
    [{ token: `${TOKEN}x` }, 'wrong X-CSRF-Token'],
    [{ token: '' }, 'wrong X-CSRF-Token'],
  ];
  for (const [req, expected] of rows) {
    assert.equal(
      csrfRefusal({ ...base, ...req }, TOKEN, 'https://scrapyard.example.com'),
      expected,
      JSON.stringify(req),
    );
  }
});
