// Request parameters the way Twisted hands them to Scrapyd (docs/scrapyd-api.md §1.2): every parameter is a list of byte
// strings, query first, then (POST only) the form body merged on top. The Scrapyd routes read their named
// parameters through the helpers at the bottom, which reproduce Scrapyd's error wording (§1.4).
//
// Why bytes and not strings: ScrapydWeb uploads eggs as a percent-encoded field of an urlencoded body, so the
// parser must turn `%XX` into the byte 0xXX without ever passing through a JS string (which would mangle
// anything that is not valid UTF-8). Text parameters are decoded later, strictly, so a bad byte becomes
// Scrapyd's "<name> is invalid: 'utf-8' codec can't decode …" error instead of a silent U+FFFD.
import busboy from 'busboy';
import type { Readable } from 'node:stream';
import { decodeQuotedPrintable, unquotePlus } from './byte-escapes.js';
import { findUtf8Error, utf8ErrorMessage } from './python-utf8.js';

/** Parameter name → every value it was given, in order. Names are decoded from UTF-8 (lossy; see parseParams). */
export type Params = Map<string, Buffer[]>;

export interface ParseInput {
  /** HTTP method as received (`GET`, `POST`, …). */
  method: string;
  /** Request target after the first `?`, without the `?`; `''` if there was none. */
  rawQuery: string;
  contentType: string | undefined;
  /** Raw request body; ignored unless the method is POST. */
  body: Buffer | undefined;
}

export interface ParseOptions {
  /** Most values accepted across query and body together; more is a FormError. */
  maxValues?: number;
  /** Most multipart parts accepted; more is a FormError. */
  maxParts?: number;
}

export const DEFAULT_MAX_VALUES = 20_000;
export const DEFAULT_MAX_PARTS = 20_000;

/** The request body (or query) cannot be parsed into parameters. Twisted answers such requests with a 400. */
export class FormError extends Error {
  override readonly name = 'FormError';
}

/** A named parameter is missing or is not what its endpoint accepts; `message` is Scrapyd's exact wording. */
export class ParamError extends Error {
  override readonly name = 'ParamError';
}

/**
 * Parses query and body into Scrapyd's parameter lists.
 *
 * - Query and urlencoded bodies follow Twisted's `parse_qs`: pairs split on `&` and `;`, pairs without `=` are
 *   dropped, blank values kept, `+` → space, `%XX` → byte (malformed escapes stay literal). Repeated keys keep
 *   every value.
 * - A multipart body follows current Twisted (`_getMultiPartArgs`, which replaced `cgi.parse_multipart`): each
 *   named part, file or plain field, becomes one value, and a repeated name keeps only the LAST part.
 * - For POST, a key present in the body replaces the query's list for that key (Python `dict.update`).
 *
 * Keys are compared as strings decoded from UTF-8 with replacement, so two keys that differ only in invalid
 * bytes collapse into one. No Scrapyd parameter name is affected.
 */
export async function parseParams(input: ParseInput, options: ParseOptions = {}): Promise<Params> {
  const budget = new ValueBudget(options.maxValues ?? DEFAULT_MAX_VALUES);
  const params = parseUrlencoded(latin1Bytes(input.rawQuery), budget);
  // Twisted only looks at bodies of POST requests; a GET with a form body sees the query alone.
  if (input.method !== 'POST' || input.body === undefined || input.body.length === 0) return params;

  const mediaType = (input.contentType ?? '').split(';', 1)[0]?.trim().toLowerCase();
  let bodyParams: Params | undefined;
  if (mediaType === 'application/x-www-form-urlencoded') {
    bodyParams = parseUrlencoded(input.body, budget);
  } else if (mediaType === 'multipart/form-data') {
    bodyParams = await parseMultipart(input.body, input.contentType ?? '', options.maxParts ?? DEFAULT_MAX_PARTS);
    budget.take(bodyParams.size);
  }
  for (const [key, values] of bodyParams ?? []) params.set(key, values);
  return params;
}

/** Counts values so that a request with millions of `&` costs a bounded amount of memory. */
class ValueBudget {
  #left: number;
  constructor(max: number) {
    this.#left = max;
  }
  take(n: number): void {
    this.#left -= n;
    if (this.#left < 0) throw new FormError('too many parameters');
  }
}

// Node hands over the request target one char per byte (latin1); anything wider came from a caller who already
// decoded it, and UTF-8 is then the only sensible way back to bytes.
function latin1Bytes(text: string): Buffer {
  // eslint-disable-next-line no-control-regex
  return Buffer.from(text, /^[\u0000-\u00ff]*$/.test(text) ? 'latin1' : 'utf8');
}

const AMP = 0x26;
const SEMI = 0x3b;
const EQ = 0x3d;

function parseUrlencoded(bytes: Buffer, budget: ValueBudget): Params {
  const params: Params = new Map();
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== AMP && bytes[i] !== SEMI) continue;
    const item = bytes.subarray(start, i);
    start = i + 1;
    const eq = item.indexOf(EQ);
    if (eq === -1) continue; // `?project` alone is not a parameter at all
    budget.take(1);
    const key = unquotePlus(item.subarray(0, eq)).toString('utf8');
    const value = unquotePlus(item.subarray(eq + 1));
    const list = params.get(key);
    if (list === undefined) params.set(key, [value]);
    else list.push(value);
  }
  return params;
}

async function parseMultipart(body: Buffer, contentType: string, maxParts: number): Promise<Params> {
  // Parts are numbered as busboy announces them: a file part's bytes arrive later than a following field's
  // event, and "last part wins" must follow the order in the body, not the order the streams finish.
  const parts: Array<{ name: string; value?: Buffer }> = [];
  const files: Promise<void>[] = [];

  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const fail = (why: unknown): void => {
      if (settled) return;
      settled = true;
      reject(new FormError(`malformed multipart body: ${why instanceof Error ? why.message : String(why)}`));
    };

    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { 'content-type': contentType },
        // latin1 maps bytes 1:1 onto chars, so plain fields can be turned back into their exact bytes.
        defCharset: 'latin1',
        defParamCharset: 'utf8',
        limits: {
          parts: maxParts,
          // Defaults would silently truncate (fields at 1 MB, names at 100 bytes); nothing can exceed the body.
          fieldSize: body.length,
          fileSize: body.length,
          fieldNameSize: body.length,
        },
      });
    } catch (err) {
      fail(err); // no boundary, unparsable content type
      return;
    }

    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) fail(new Error(`field ${name} truncated`));
      if (name) parts.push({ name, value: decodeTransfer(fieldBytes(value), info.encoding) });
    });
    parser.on('file', (name, stream, info) => {
      // An unnamed part still has to be drained, or busboy waits for it forever.
      const slot: { name: string; value?: Buffer } = { name };
      if (name) parts.push(slot);
      files.push(
        collect(stream).then(
          (bytes) => {
            slot.value = decodeTransfer(bytes, info.encoding);
          },
          (err: unknown) => fail(err),
        ),
      );
    });
    parser.on('partsLimit', () => fail(new Error(`more than ${maxParts} parts`)));
    parser.on('error', fail);
    parser.on('close', () => {
      void Promise.all(files).then(() => {
        if (settled) return;
        settled = true;
        resolve();
      });
    });
    parser.end(body);
  });

  const params: Params = new Map();
  for (const part of parts) params.set(part.name, [part.value ?? Buffer.alloc(0)]);
  return params;
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

// Busboy decodes plain fields with the part's charset (latin1 unless the part declares one). latin1 round-trips
// exactly; a declared non-latin1 charset can produce chars above U+00FF, which we re-encode as UTF-8. That is
// exact for UTF-8 text outside U+0080–U+00FF and a best effort otherwise; real clients never declare one.
function fieldBytes(value: string): Buffer {
  return latin1Bytes(value);
}

// Python's email parser applies Content-Transfer-Encoding for `get_payload(decode=True)`; busboy does not.
function decodeTransfer(bytes: Buffer, encoding: string): Buffer {
  switch (encoding.toLowerCase()) {
    case 'base64':
      return Buffer.from(bytes.toString('latin1'), 'base64');
    case 'quoted-printable':
      return decodeQuotedPrintable(bytes);
    default:
      return bytes;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Reading named parameters (Scrapyd's `param()` decorator: first value, strict UTF-8).

/** First value's raw bytes (e.g. `egg`), or undefined when the parameter is absent. */
export function firstBytes(params: Params, name: string): Buffer | undefined {
  return params.get(name)?.[0];
}

/** First value as strict UTF-8; later values are not even decoded, like Scrapyd. */
export function firstText(params: Params, name: string): string | undefined {
  const value = firstBytes(params, name);
  return value === undefined ? undefined : decodeParam(value, name);
}

/** Every value as strict UTF-8 (for repeatable parameters such as `setting`); `[]` when absent. */
export function allText(params: Params, name: string): string[] {
  return (params.get(name) ?? []).map((value) => decodeParam(value, name));
}

/** First value as strict UTF-8; throws `'<name>' parameter is required` when absent (a blank value is present). */
export function requireText(params: Params, name: string): string {
  const value = firstText(params, name);
  if (value === undefined) throw new ParamError(`'${name}' parameter is required`);
  return value;
}

function decodeParam(value: Buffer, name: string): string {
  const failure = findUtf8Error(value);
  if (failure !== null) throw new ParamError(`${name} is invalid: ${utf8ErrorMessage(value, failure)}`);
  return value.toString('utf8'); // keeps a leading BOM, as Python does (TextDecoder would drop it)
}
