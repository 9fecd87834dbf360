import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { gzipSync, gunzipSync } from 'node:zlib';
import { parseRange } from '../../byte-ranges.js';
import { formatFileSize, typeAndEncoding } from './content-type.js';
import { serveTree } from './serve-tree.js';
import type { ServeTreeOptions, TreeResponse } from './serve-tree.js';

process.env.TZ = 'UTC';

/*
 * ScrapydWeb's DIRECTORY_PATTERN (scrapydweb/vars.py, a verbose re.X regex; transcribed without the
 * verbose-mode whitespace) and HREF_NAME_PATTERN, used by its Logs and Items pages.
 */
const DIRECTORY_PATTERN = new RegExp(
  '<tr\\sclass="(?<odd_even>odd|even)">\\n' +
    '\\s+<td>(?<filename>.*?)</td>\\n' +
    '\\s+<td>(?<size>.*?)</td>\\n' +
    '(?:\\s+<td>(?<last_modified>.*?)</td>\\n)?' +
    '\\s+<td>(?<content_type>.*?)</td>\\n' +
    '\\s+<td>(?<content_encoding>.*?)</td>\\n' +
    '</tr>',
  'g',
);
const HREF_NAME_PATTERN = /href="(.+?)">(.+?)</;

interface Row {
  odd_even: string;
  href: string;
  filename: string;
  size: string;
  last_modified: string;
  content_type: string;
  content_encoding: string;
}

function scrapeListing(html: string, prefix = '/logs/'): Row[] {
  assert.ok(html.includes(`Directory listing for ${prefix}`));
  return [...html.matchAll(DIRECTORY_PATTERN)].map((m) => {
    const g = m.groups ?? {};
    const [, href = '', filename = ''] = HREF_NAME_PATTERN.exec(g['filename'] ?? '') ?? [];
    return {
      odd_even: g['odd_even'] ?? '',
      href,
      filename,
      size: g['size'] ?? '',
      last_modified: g['last_modified'] ?? '',
      content_type: g['content_type'] ?? '',
      content_encoding: g['content_encoding'] ?? '',
    };
  });
}

let base: string;
let root: string;
const LOG = Buffer.from(Array.from({ length: 5000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(''));
const JSON_BODY = Buffer.from('{"pages": 1}\n');
const GZ = gzipSync(Buffer.from('compressed log\n'));
const MTIME = new Date('2024-01-02T03:04:05Z');

before(() => {
  base = mkdtempSync(join(tmpdir(), 'serve-tree-'));
  root = join(base, 'logs');
  const sp = join(root, 'proj', 'spider');
  mkdirSync(sp, { recursive: true });
  mkdirSync(join(root, 'zz-dir'));
  mkdirSync(join(root, 'é dir'));
  writeFileSync(join(base, 'secret'), 'top secret');
  writeFileSync(join(root, 'stats.json'), JSON_BODY);
  writeFileSync(join(sp, 'job1.log'), LOG);
  writeFileSync(join(sp, 'job1.json'), JSON_BODY);
  writeFileSync(join(sp, 'job2.log.gz'), GZ);
  writeFileSync(join(sp, 'a b.log'), 'space\n');
  writeFileSync(join(sp, 'é名.log'), 'unicode\n');
  writeFileSync(join(sp, 'big.jl'), Buffer.alloc(2048));
  writeFileSync(join(sp, 'empty.log'), '');
  for (const f of ['job1.log', 'job1.json', 'job2.log.gz', 'a b.log', 'é名.log', 'big.jl', 'empty.log']) {
    utimesSync(join(sp, f), MTIME, MTIME);
  }
  symlinkSync(join(base, 'secret'), join(root, 'escape-link'));
  symlinkSync(base, join(root, 'escape-dir'));
  symlinkSync(join(sp, 'job1.log'), join(root, 'inside-link.log'));
});
after(() => rmSync(base, { recursive: true, force: true }));

function get(requestPath: string, headers: ServeTreeOptions['headers'] = {}, method: 'GET' | 'HEAD' = 'GET') {
  return serveTree({ root, urlPrefix: '/logs/', requestPath, method, headers });
}

async function bodyOf(res: TreeResponse): Promise<Buffer> {
  if (res.body === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(res.body)) return res.body;
  const chunks: Buffer[] = [];
  for await (const c of res.body) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks);
}

void test('root listing: directories first, then files, code-point order, odd/even, ScrapydWeb-parsable', async () => {
  const res = await get('/logs/');
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
  const html = (await bodyOf(res)).toString();
  assert.equal(Number(res.headers['content-length']), Buffer.byteLength(html));
  assert.ok(html.includes('<title>Directory listing for /logs/</title>'));
  assert.ok(html.includes('<h1>Directory listing for /logs/</h1>'));
  assert.match(
    html,
    /<thead>\s*<tr>\s*<th>Filename<\/th>\s*<th>Size<\/th>\s*<th>Last modified<\/th>\s*<th>Content type<\/th>\s*<th>Content encoding<\/th>\s*<\/tr>\s*<\/thead>/,
  );
  const rows = scrapeListing(html);
  assert.deepEqual(
    rows.map((r) => [r.odd_even, r.href, r.filename, r.size, r.content_type, r.content_encoding]),
    [
      ['odd', 'proj/', 'proj/', '', '[Directory]', ''],
      ['even', 'zz-dir/', 'zz-dir/', '', '[Directory]', ''],
      ['odd', '%C3%A9%20dir/', 'é dir/', '', '[Directory]', ''],
      ['even', 'inside-link.log', 'inside-link.log', '4K', '[text/plain]', ''],
      ['odd', 'stats.json', 'stats.json', '13B', '[application/json]', ''],
    ],
    'symlinks leading outside the tree are not listed',
  );
  for (const r of rows) assert.match(r.last_modified, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
});

void test('listing rows have exactly the Twisted line structure', async () => {
  const html = (await bodyOf(await get('/logs/proj/spider/'))).toString();
  assert.ok(
    html.includes(
      '<tr class="odd">\n' +
        '    <td><a href="a%20b.log">a b.log</a></td>\n' +
        '    <td>6B</td>\n' +
        '    <td>2024-01-02 03:04</td>\n' +
        '    <td>[text/plain]</td>\n' +
        '    <td></td>\n' +
        '</tr>\n' +
        '<tr class="even">\n' +
        '    <td><a href="big.jl">big.jl</a></td>\n' +
        '    <td>2K</td>\n',
    ),
  );
  const rows = scrapeListing(html);
  assert.deepEqual(
    rows.map((r) => [r.odd_even, r.href, r.filename, r.size, r.last_modified, r.content_type, r.content_encoding]),
    [
      ['odd', 'a%20b.log', 'a b.log', '6B', '2024-01-02 03:04', '[text/plain]', ''],
      ['even', 'big.jl', 'big.jl', '2K', '2024-01-02 03:04', '[text/plain]', ''],
      ['odd', 'empty.log', 'empty.log', '0B', '2024-01-02 03:04', '[text/plain]', ''],
      ['even', 'job1.json', 'job1.json', '13B', '2024-01-02 03:04', '[application/json]', ''],
      ['odd', 'job1.log', 'job1.log', '4K', '2024-01-02 03:04', '[text/plain]', ''],
      ['even', 'job2.log.gz', 'job2.log.gz', `${GZ.length}B`, '2024-01-02 03:04', '[text/plain]', '[gzip]'],
      ['odd', '%C3%A9%E5%90%8D.log', 'é名.log', '8B', '2024-01-02 03:04', '[text/plain]', ''],
    ],
  );
});

void test('listing title is the request URI unquoted then escaped', async () => {
  const res = await get('/logs/%C3%A9%20dir/');
  assert.equal(res.status, 200);
  const html = (await bodyOf(res)).toString();
  assert.ok(html.includes('<h1>Directory listing for /logs/é dir/</h1>'));
  assert.equal(scrapeListing(html).length, 0);
});

void test('directory without trailing slash redirects to the slash form', async () => {
  for (const [path, location] of [
    ['/logs', '/logs/'],
    ['/logs/proj', '/logs/proj/'],
    ['/logs/proj/spider', '/logs/proj/spider/'],
    ['/logs/%C3%A9%20dir', '/logs/%C3%A9%20dir/'],
  ] as const) {
    const res = await get(path);
    assert.equal(res.status, 302, path);
    assert.equal(res.headers['location'], location);
  }
});

void test('missing paths are 404 HTML', async () => {
  for (const path of [
    '/logs/nope',
    '/logs/nope/',
    '/logs/proj/spider/job9.log',
    '/logs/proj/spider/job1.log/',
    '/items/x',
  ]) {
    const res = await get(path);
    assert.equal(res.status, 404, path);
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
    assert.match((await bodyOf(res)).toString(), /No Such Resource/);
  }
  const missingRoot = await serveTree({
    root: join(base, 'does-not-exist'),
    urlPrefix: '/items/',
    requestPath: '/items/',
    method: 'GET',
    headers: {},
  });
  assert.equal(missingRoot.status, 404);
});

void test('traversal attempts are 404', async () => {
  for (const path of [
    '/logs/../etc/passwd',
    '/logs/../secret',
    '/logs/%2e%2e/secret',
    '/logs/%2E%2E/secret',
    '/logs/proj/%2e%2e/%2e%2e/secret',
    '/logs/proj/../../secret',
    '/logs/%2e%2e%2fsecret',
    '/logs/..%2Fsecret',
    '/logs/./stats.json',
    '/logs/%2e/stats.json',
    '/logs//stats.json',
    '/logs/stats.json%00',
    '/logs/stats.json%00.txt',
    '/logs/%00',
    '/logs/escape-link',
    '/logs/escape-dir/',
    '/logs/escape-dir/secret',
    '/logs/%ff%fe',
  ]) {
    const res = await get(path);
    assert.equal(res.status, 404, path);
    assert.ok(!(await bodyOf(res)).toString().includes('top secret'), path);
  }
  // a symlink that stays inside the tree is fine
  assert.equal((await get('/logs/inside-link.log')).status, 200);
});

void test('file GET: headers, content types, encodings, percent-encoded names', async () => {
  const res = await get('/logs/proj/spider/job1.log');
  assert.equal(res.status, 200);
  assert.equal(res.headers['accept-ranges'], 'bytes');
  assert.equal(res.headers['content-length'], String(LOG.length));
  assert.equal(res.headers['last-modified'], 'Tue, 02 Jan 2024 03:04:05 GMT');
  assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(res.headers['content-encoding'], undefined);
  assert.ok(!Buffer.isBuffer(res.body), 'files are streamed');
  assert.deepEqual(await bodyOf(res), LOG);

  const json = await get('/logs/proj/spider/job1.json');
  assert.equal(json.headers['content-type'], 'application/json');
  assert.deepEqual(await bodyOf(json), JSON_BODY);

  const gz = await get('/logs/proj/spider/job2.log.gz');
  assert.equal(gz.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(gunzipSync(await bodyOf(gz)).toString(), 'compressed log\n');

  assert.equal((await bodyOf(await get('/logs/proj/spider/a%20b.log'))).toString(), 'space\n');
  assert.equal((await bodyOf(await get('/logs/proj/spider/%C3%A9%E5%90%8D.log'))).toString(), 'unicode\n');

  const empty = await get('/logs/proj/spider/empty.log');
  assert.equal(empty.status, 200);
  assert.equal(empty.headers['content-length'], '0');
  assert.equal((await bodyOf(empty)).length, 0);
});

void test('Range: single, suffix, open-ended, clamped', async () => {
  const cases: Array<[string, number, number]> = [
    ['bytes=0-4', 0, 4],
    ['bytes=-1000', 4000, 4999],
    ['bytes=4990-', 4990, 4999],
    ['bytes=4990-99999', 4990, 4999],
    ['bytes=-99999', 0, 4999],
    ['bytes = 10 - 19', 10, 19],
    ['bytes=0-4,9000-9100', 0, 4],
  ];
  for (const [range, start, end] of cases) {
    const res = await get('/logs/proj/spider/job1.log', { range });
    assert.equal(res.status, 206, range);
    assert.equal(res.headers['content-range'], `bytes ${start}-${end}/${LOG.length}`, range);
    assert.equal(res.headers['content-length'], String(end - start + 1), range);
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
    assert.deepEqual(await bodyOf(res), LOG.subarray(start, end + 1), range);
  }
  // Gerapy tails logs smaller than 1000 bytes with the same header
  const small = await get('/logs/proj/spider/a%20b.log', { Range: 'bytes=-1000' });
  assert.equal(small.status, 206);
  assert.equal(small.headers['content-range'], 'bytes 0-5/6');
  assert.equal((await bodyOf(small)).toString(), 'space\n');
});

void test('Range: unsatisfiable → 416, malformed → ignored', async () => {
  for (const range of ['bytes=5000-', 'bytes=6000-7000', 'bytes=-0', 'bytes=5000-5001,9000-']) {
    const res = await get('/logs/proj/spider/job1.log', { range });
    assert.equal(res.status, 416, range);
    assert.equal(res.headers['content-range'], `bytes */${LOG.length}`, range);
  }
  assert.equal((await get('/logs/proj/spider/empty.log', { range: 'bytes=0-' })).status, 416);
  for (const range of ['bytes=abc', 'bytes=5-2', 'items=0-4', 'bytes=', 'bytes=--5', '0-4', 'bytes=1-2-3']) {
    const res = await get('/logs/proj/spider/job1.log', { range });
    assert.equal(res.status, 200, range);
    assert.equal(res.headers['content-range'], undefined);
    assert.equal((await bodyOf(res)).length, LOG.length, range);
  }
});

void test('Range: multiple ranges → multipart/byteranges', async () => {
  const res = await get('/logs/proj/spider/job1.log', { range: 'bytes=0-4,10-14,-3' });
  assert.equal(res.status, 206);
  const ct = res.headers['content-type'] ?? '';
  const boundary = /^multipart\/byteranges; boundary=(\S+)$/.exec(ct)?.[1];
  assert.ok(boundary, ct);
  const body = (await bodyOf(res)).toString('latin1');
  assert.equal(res.headers['content-length'], String(Buffer.byteLength(body, 'latin1')));
  assert.ok(body.endsWith(`\r\n--${boundary}--\r\n`));
  const parts = body.split(`--${boundary}`).slice(1, -1);
  assert.equal(parts.length, 3);
  const expected: Array<[number, number]> = [
    [0, 4],
    [10, 14],
    [4997, 4999],
  ];
  parts.forEach((part, i) => {
    const [start, end] = expected[i]!;
    const [head = '', data = ''] = part.split('\r\n\r\n');
    assert.match(head, /Content-Type: text\/plain; charset=utf-8/);
    assert.match(head, new RegExp(`Content-Range: bytes ${start}-${end}/${LOG.length}`));
    assert.equal(data, `${LOG.subarray(start, end + 1).toString('latin1')}\r\n`);
  });

  const headRes = await get('/logs/proj/spider/job1.log', { range: 'bytes=0-4,10-14' }, 'HEAD');
  assert.equal(headRes.status, 206);
  assert.equal(headRes.body, null);
  assert.match(headRes.headers['content-type'] ?? '', /^multipart\/byteranges/);
});

void test('If-Modified-Since → 304; If-Range mismatch → full body', async () => {
  const path = '/logs/proj/spider/job1.log';
  const same = await get(path, { 'if-modified-since': 'Tue, 02 Jan 2024 03:04:05 GMT' });
  assert.equal(same.status, 304);
  assert.equal(same.body, null);
  assert.equal(same.headers['last-modified'], 'Tue, 02 Jan 2024 03:04:05 GMT');
  assert.equal((await get(path, { 'if-modified-since': 'Wed, 03 Jan 2024 00:00:00 GMT' })).status, 304);
  assert.equal((await get(path, { 'if-modified-since': 'Tue, 02 Jan 2024 03:04:04 GMT' })).status, 200);
  assert.equal((await get(path, { 'if-modified-since': 'garbage' })).status, 200);

  const stale = await get(path, { range: 'bytes=0-4', 'if-range': 'Mon, 01 Jan 2024 00:00:00 GMT' });
  assert.equal(stale.status, 200);
  assert.equal((await bodyOf(stale)).length, LOG.length);
  const fresh = await get(path, { range: 'bytes=0-4', 'if-range': 'Tue, 02 Jan 2024 03:04:05 GMT' });
  assert.equal(fresh.status, 206);
  await bodyOf(fresh);
});

void test('HEAD returns the GET headers without a body', async () => {
  const file = await get('/logs/proj/spider/job1.log', {}, 'HEAD');
  assert.equal(file.status, 200);
  assert.equal(file.body, null);
  assert.equal(file.headers['content-length'], String(LOG.length));
  assert.equal(file.headers['accept-ranges'], 'bytes');

  const ranged = await get('/logs/proj/spider/job1.log', { range: 'bytes=-1000' }, 'HEAD');
  assert.equal(ranged.status, 206);
  assert.equal(ranged.body, null);
  assert.equal(ranged.headers['content-length'], '1000');

  const listing = await get('/logs/', {}, 'HEAD');
  const listingGet = await get('/logs/');
  assert.equal(listing.status, 200);
  assert.equal(listing.body, null);
  assert.equal(listing.headers['content-length'], listingGet.headers['content-length']);

  const missing = await get('/logs/nope', {}, 'HEAD');
  assert.equal(missing.status, 404);
  assert.equal(missing.body, null);
});

void test('helpers: sizes, types, range parsing', () => {
  assert.deepEqual([0, 1023, 1024, 2047, 1024 ** 2 - 1, 1024 ** 2, 5 * 1024 ** 3 + 7].map(formatFileSize), [
    '0B',
    '1023B',
    '1K',
    '1K',
    '1023K',
    '1M',
    '5G',
  ]);
  assert.deepEqual(typeAndEncoding('a.LOG'), { type: 'text/plain', encoding: null });
  assert.deepEqual(typeAndEncoding('a.jl'), { type: 'text/plain', encoding: null });
  assert.deepEqual(typeAndEncoding('a.json.gz'), { type: 'application/json', encoding: 'gzip' });
  assert.deepEqual(typeAndEncoding('a.gz'), { type: 'text/plain', encoding: 'gzip' });
  assert.deepEqual(typeAndEncoding('a.html'), { type: 'text/html', encoding: null });
  assert.deepEqual(typeAndEncoding('noext'), { type: 'text/plain', encoding: null });
  assert.deepEqual(typeAndEncoding('.hidden'), { type: 'text/plain', encoding: null });
  assert.equal(parseRange(undefined, 10), null);
  assert.deepEqual(parseRange('bytes=0-0,-1', 10), [
    { start: 0, end: 0 },
    { start: 9, end: 9 },
  ]);
  assert.equal(parseRange(`bytes=${Array.from({ length: 100 }, (_, i) => `${i}-${i}`).join(',')}`, 1000), null);
});

void test('Range: overlapping and adjacent ranges are coalesced; more than 16 are answered with the whole file', async () => {
  // Sorted and merged: overlapping, touching and repeated ranges become one.
  assert.deepEqual(parseRange('bytes=10-19,0-4,3-8,20-24,50-,50-', 100), [
    { start: 0, end: 8 },
    { start: 10, end: 24 },
    { start: 50, end: 99 },
  ]);
  // The classic amplification request: the whole file asked for many times is sent once.
  const amplify = await get('/logs/proj/spider/job1.log', { range: `bytes=${Array(16).fill('0-').join(',')}` });
  assert.equal(amplify.status, 206);
  assert.equal(amplify.headers['content-range'], `bytes 0-${LOG.length - 1}/${LOG.length}`);
  assert.deepEqual(await bodyOf(amplify), LOG);
  // 16 disjoint ranges are served as parts; 17 (even after coalescing) get the whole file, never more.
  const disjoint = (n: number) => `bytes=${Array.from({ length: n }, (_, i) => `${i * 10}-${i * 10 + 1}`).join(',')}`;
  const sixteen = await get('/logs/proj/spider/job1.log', { range: disjoint(16) });
  assert.equal(sixteen.status, 206);
  assert.match(sixteen.headers['content-type'] ?? '', /^multipart\/byteranges/);
  assert.ok(Number(sixteen.headers['content-length']) < LOG.length);
  const seventeen = await get('/logs/proj/spider/job1.log', { range: disjoint(17) });
  assert.equal(seventeen.status, 200);
  assert.equal(seventeen.headers['content-range'], undefined);
  assert.equal(Number(seventeen.headers['content-length']), LOG.length);
  assert.deepEqual(await bodyOf(seventeen), LOG);
});
