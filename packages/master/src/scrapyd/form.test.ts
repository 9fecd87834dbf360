import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  FormError,
  ParamError,
  allText,
  firstBytes,
  firstText,
  parseParams,
  requireText,
  type Params,
} from './form.js';
import { findUtf8Error, utf8ErrorMessage } from './python-utf8.js';

const URLENCODED = 'application/x-www-form-urlencoded';

const post = (body: string | Buffer, contentType = URLENCODED, rawQuery = ''): Promise<Params> =>
  parseParams({ method: 'POST', rawQuery, contentType, body: Buffer.from(body) });
const get = (rawQuery: string): Promise<Params> =>
  parseParams({ method: 'GET', rawQuery, contentType: undefined, body: undefined });
const texts = (params: Params): Record<string, string[]> =>
  Object.fromEntries([...params].map(([k, vs]) => [k, vs.map((v) => v.toString('latin1'))]));

function multipart(boundary: string, parts: Array<{ headers: string[]; body: string | Buffer }>): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n${part.headers.join('\r\n')}\r\n\r\n`));
    chunks.push(Buffer.from(part.body));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

void test('query: & and ; both separate pairs, pairs without = are dropped, blanks kept', async () => {
  assert.deepEqual(texts(await get('project=p&spider=s;jobid=&flag&=v&&x=1=2')), {
    project: ['p'],
    spider: ['s'],
    jobid: [''],
    '': ['v'],
    x: ['1=2'],
  });
  assert.deepEqual(texts(await get('')), {});
  assert.equal((await get('project')).has('project'), false);
});

void test('query: + is a space, %XX a byte in either case, bad escapes stay literal, keys decoded too', async () => {
  const params = await get('a+b=c+d%2Be&pct=%zz%4%%41%e9&%73etting=K%3DV&mixed=%aF');
  assert.deepEqual(texts(params), {
    'a b': ['c d+e'],
    pct: ['%zz%4%A\xe9'],
    setting: ['K=V'],
    mixed: ['\xaf'],
  });
});

void test('repeated keys keep every value in order', async () => {
  const params = await get('setting=A=1&setting=B=2;setting=C=3');
  assert.deepEqual(allText(params, 'setting'), ['A=1', 'B=2', 'C=3']);
  assert.equal(firstText(params, 'setting'), 'A=1');
});

void test('urlencoded body with a raw binary egg (every byte percent-encoded) round-trips exactly', async () => {
  const egg = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const encoded = [...egg].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');
  const params = await post(`project=p&version=1&egg=${encoded}`);
  assert.deepEqual(firstBytes(params, 'egg'), egg);
  // The same bytes, written the way Python's urlencode does (unreserved kept, space as +).
  const pyStyle = [...egg]
    .map((b) =>
      /[A-Za-z0-9_.~-]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : b === 0x20
          ? '+'
          : `%${b.toString(16).padStart(2, '0')}`,
    )
    .join('');
  assert.deepEqual(firstBytes(await post(`egg=${pyStyle}`), 'egg'), egg);
});

void test('POST: body keys replace the query list for that key, other query keys stay', async () => {
  const params = await post('project=body&setting=B=1', URLENCODED, 'project=q1&project=q2&spider=s&setting=Q=1');
  assert.deepEqual(texts(params), { project: ['body'], spider: ['s'], setting: ['B=1'] });
});

void test('GET ignores a body; POST ignores bodies of other types and empty bodies', async () => {
  const viaGet = await parseParams({
    method: 'GET',
    rawQuery: 'project=q',
    contentType: URLENCODED,
    body: Buffer.from('project=body&spider=s'),
  });
  assert.deepEqual(texts(viaGet), { project: ['q'] });
  assert.deepEqual(texts(await post('{"project": "x"}', 'application/json', 'a=1')), { a: ['1'] });
  assert.deepEqual(texts(await post('', URLENCODED, 'a=1')), { a: ['1'] });
  // Media type is matched case-insensitively and without its parameters.
  assert.deepEqual(texts(await post('a=2', 'Application/X-WWW-Form-Urlencoded; charset=UTF-8')), { a: ['2'] });
});

void test('multipart: file part (filename ignored) and plain fields become raw bytes', async () => {
  const egg = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0xff, 0x0d, 0x0a, 0x2d, 0x2d, 0x80]);
  const body = multipart('XyZ', [
    { headers: ['Content-Disposition: form-data; name="project"'], body: 'myproject' },
    { headers: ['Content-Disposition: form-data; name="version"'], body: Buffer.from([0x72, 0xe9, 0xff]) },
    {
      headers: [
        'Content-Disposition: form-data; name="egg"; filename="project.egg"',
        'Content-Type: application/octet-stream',
      ],
      body: egg,
    },
    { headers: ['Content-Disposition: form-data; name="empty"'], body: '' },
  ]);
  const params = await post(body, 'multipart/form-data; boundary=XyZ');
  assert.equal(requireText(params, 'project'), 'myproject');
  assert.deepEqual(firstBytes(params, 'version'), Buffer.from([0x72, 0xe9, 0xff]));
  assert.deepEqual(firstBytes(params, 'egg'), egg);
  assert.equal(firstText(params, 'empty'), '');
  assert.deepEqual([...params.keys()], ['project', 'version', 'egg', 'empty']);
});

void test('multipart: egg as a plain field keeps every byte value', async () => {
  const egg = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const body = multipart('b', [{ headers: ['Content-Disposition: form-data; name="egg"'], body: egg }]);
  assert.deepEqual(firstBytes(await post(body, 'multipart/form-data; boundary=b'), 'egg'), egg);
});

void test('multipart: a repeated name keeps only the last part (Twisted), file or field', async () => {
  const body = multipart('b', [
    { headers: ['Content-Disposition: form-data; name="setting"'], body: 'A=1' },
    { headers: ['Content-Disposition: form-data; name="x"; filename="f"'], body: 'file' },
    { headers: ['Content-Disposition: form-data; name="setting"'], body: 'B=2' },
    { headers: ['Content-Disposition: form-data; name="x"'], body: 'field' },
    { headers: ['Content-Disposition: form-data'], body: 'no name: skipped' },
  ]);
  const params = await post(body, 'multipart/form-data; boundary=b', 'setting=Q=0&spider=s');
  assert.deepEqual(texts(params), { setting: ['B=2'], spider: ['s'], x: ['field'] });
});

void test('multipart: transfer encodings are decoded like Python email get_payload(decode=True)', async () => {
  const body = multipart('b', [
    {
      headers: ['Content-Disposition: form-data; name="b64"', 'Content-Transfer-Encoding: base64'],
      body: Buffer.from([0, 1, 255]).toString('base64'),
    },
    {
      headers: ['Content-Disposition: form-data; name="qp"', 'Content-Transfer-Encoding: quoted-printable'],
      body: 'caf=C3=A9 =\r\nbar',
    },
  ]);
  const params = await post(body, 'multipart/form-data; boundary=b');
  assert.deepEqual(firstBytes(params, 'b64'), Buffer.from([0, 1, 255]));
  assert.equal(firstText(params, 'qp'), 'café bar');
});

void test('multipart: a field declaring charset=utf-8 still yields its UTF-8 bytes (best effort)', async () => {
  const body = multipart('b', [
    {
      headers: ['Content-Disposition: form-data; name="spider"', 'Content-Type: text/plain; charset=utf-8'],
      body: 'naïve €',
    },
  ]);
  // Chars above U+00FF reveal a non-latin1 decode, so the value is re-encoded as UTF-8.
  assert.equal(firstText(await post(body, 'multipart/form-data; boundary=b'), 'spider'), 'naïve €');
});

void test('malformed multipart bodies throw FormError', async () => {
  const good = multipart('b', [{ headers: ['Content-Disposition: form-data; name="a"'], body: 'x' }]);
  await assert.rejects(post(good, 'multipart/form-data'), FormError); // no boundary
  await assert.rejects(post(good.subarray(0, good.length - 8), 'multipart/form-data; boundary=b'), FormError);
  await assert.rejects(post('--b\r\nbad header line\r\n', 'multipart/form-data; boundary=b'), FormError);
  await assert.rejects(post('garbage', 'multipart/form-data; boundary=b'), (err: unknown) => {
    assert.ok(err instanceof FormError);
    assert.match(err.message, /^malformed multipart body: /);
    return true;
  });
});

void test('too many values or parts throw FormError', async () => {
  const many = Array.from({ length: 11 }, (_, i) => `k${i}=v`).join('&');
  await assert.rejects(
    parseParams({ method: 'GET', rawQuery: many, contentType: undefined, body: undefined }, { maxValues: 10 }),
    FormError,
  );
  // Query and body share the budget.
  await assert.rejects(
    parseParams(
      { method: 'POST', rawQuery: 'a=1&b=2', contentType: URLENCODED, body: Buffer.from('c=1&d=2&e=3') },
      { maxValues: 4 },
    ),
    /too many parameters/,
  );
  const parts = Array.from({ length: 4 }, (_, i) => ({
    headers: [`Content-Disposition: form-data; name="k${i}"`],
    body: 'v',
  }));
  await assert.rejects(
    parseParams(
      { method: 'POST', rawQuery: '', contentType: 'multipart/form-data; boundary=b', body: multipart('b', parts) },
      { maxParts: 3 },
    ),
    FormError,
  );
  assert.equal((await get(Array.from({ length: 20_000 }, () => 'a=1').join('&'))).get('a')?.length, 20_000);
  await assert.rejects(get(Array.from({ length: 20_001 }, () => 'a=1').join('&')), FormError);
});

void test('requireText / firstText / allText: absent, blank and Scrapyd error wording', async () => {
  const params = await get('project=&bad=%FF&setting=ok&setting=%C3');
  assert.equal(requireText(params, 'project'), '');
  assert.equal(firstText(params, 'nope'), undefined);
  assert.equal(firstBytes(params, 'nope'), undefined);
  assert.deepEqual(allText(params, 'nope'), []);
  assert.throws(() => requireText(params, 'spider'), new ParamError("'spider' parameter is required"));
  assert.throws(
    () => firstText(params, 'bad'),
    new ParamError("bad is invalid: 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"),
  );
  assert.throws(
    () => allText(params, 'setting'),
    new ParamError("setting is invalid: 'utf-8' codec can't decode byte 0xc3 in position 0: unexpected end of data"),
  );
  // Only the first value is decoded for single-valued parameters, like Scrapyd.
  const second = await get('project=ok&project=%FF');
  assert.equal(firstText(second, 'project'), 'ok');
  // A BOM survives decoding (Python keeps U+FEFF).
  assert.equal(firstText(await get('p=%EF%BB%BFx'), 'p'), '\ufeffx');
});

void test('strict UTF-8 errors match CPython positions and reasons', () => {
  const msg = (bytes: number[]): string | null => {
    const buf = Buffer.from(bytes);
    const failure = findUtf8Error(buf);
    return failure === null ? null : utf8ErrorMessage(buf, failure);
  };
  const byte = (b: string, pos: number, reason: string): string =>
    `'utf-8' codec can't decode byte 0x${b} in position ${pos}: ${reason}`;
  const bytes = (from: number, to: number, reason: string): string =>
    `'utf-8' codec can't decode bytes in position ${from}-${to}: ${reason}`;

  assert.equal(msg([0x61, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80]), null); // aé€😀
  assert.equal(msg([0xef, 0xbb, 0xbf]), null);
  assert.equal(msg([0x80]), byte('80', 0, 'invalid start byte'));
  assert.equal(msg([0x61, 0xc0, 0x80]), byte('c0', 1, 'invalid start byte')); // overlong
  assert.equal(msg([0xc1, 0xbf]), byte('c1', 0, 'invalid start byte'));
  assert.equal(msg([0xf5, 0x80, 0x80, 0x80]), byte('f5', 0, 'invalid start byte'));
  assert.equal(msg([0xff]), byte('ff', 0, 'invalid start byte'));
  assert.equal(msg([0xc3, 0x41]), byte('c3', 0, 'invalid continuation byte'));
  assert.equal(msg([0xe0, 0x80, 0x80]), byte('e0', 0, 'invalid continuation byte')); // overlong 3-byte
  assert.equal(msg([0xed, 0xa0, 0x80]), byte('ed', 0, 'invalid continuation byte')); // surrogate
  assert.equal(msg([0xe2, 0x82, 0x41]), bytes(0, 1, 'invalid continuation byte'));
  assert.equal(msg([0xf0, 0x8f, 0x80, 0x80]), byte('f0', 0, 'invalid continuation byte'));
  assert.equal(msg([0xf4, 0x90, 0x80, 0x80]), byte('f4', 0, 'invalid continuation byte')); // > U+10FFFF
  assert.equal(msg([0xf0, 0x9f, 0x41, 0x80]), bytes(0, 1, 'invalid continuation byte'));
  assert.equal(msg([0x61, 0xf0, 0x9f, 0x98, 0x41]), bytes(1, 3, 'invalid continuation byte'));
  assert.equal(msg([0x61, 0x62, 0xc3]), byte('c3', 2, 'unexpected end of data'));
  assert.equal(msg([0xe2, 0x82]), bytes(0, 1, 'unexpected end of data'));
  assert.equal(msg([0xf0, 0x9f, 0x98]), bytes(0, 2, 'unexpected end of data'));
  // A bad second byte is reported as such even when the input also ends early.
  assert.equal(msg([0xe0, 0x80]), byte('e0', 0, 'invalid continuation byte'));
  assert.equal(msg([0xf0, 0x9f, 0x41]), bytes(0, 1, 'invalid continuation byte'));
});
