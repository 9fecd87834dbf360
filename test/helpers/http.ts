/**
 * HTTP plumbing for cluster tests: requests over http or https with a private CA (fetch cannot take one), a Scrapyd
 * client that works against an HTTPS master, a small JSON client for the master's REST API (/api/v1), and an SSE
 * reader for the live log tail. The REST client proves itself as an admin the way the CLI does on the master
 * host: with the basic-auth pair when it has one, else with the master's admin token (read from its data dir).
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import { ScrapydClient, type RawResponse } from './clients.js';
import { adminTokenFor } from './processes.js';

export interface Auth {
  username: string;
  password: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  auth?: Auth;
  /** Sent as `Authorization: Bearer …` (an admin token) when there is no `auth`. */
  bearer?: string;
  /** PEM file of the CA that signed the server's certificate (https only). */
  caFile?: string;
  timeoutMs?: number;
}

function basic(auth: Auth): string {
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
}

/** Opens a request and resolves with the response head; the caller reads (or destroys) the body. */
export function open(url: string, opts: RequestOptions = {}): Promise<IncomingMessage> {
  const u = new URL(url);
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.auth) headers.authorization = basic(opts.auth);
  else if (opts.bearer !== undefined) headers.authorization = `Bearer ${opts.bearer}`;
  if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
  const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      u,
      {
        method: opts.method ?? 'GET',
        headers,
        ...(opts.caFile ? { ca: readFileSync(opts.caFile) } : {}),
        timeout: opts.timeoutMs ?? 30_000,
      },
      resolve,
    );
    req.on('timeout', () => req.destroy(new Error(`request to ${url} timed out`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** One request, whole body read; JSON parsed when it is JSON. */
export async function request(url: string, opts: RequestOptions = {}): Promise<RawResponse> {
  const res = await open(url, opts);
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON
  }
  const headers = new Headers();
  for (const [k, v] of Object.entries(res.headers)) {
    if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
  }
  return { status: res.statusCode ?? 0, headers, text, json };
}

/** The Scrapyd client over node:http(s), so it can trust a test CA; same API as ScrapydClient. */
export class CaScrapydClient extends ScrapydClient {
  constructor(
    url: string,
    private readonly opts: { auth?: Auth; caFile?: string },
  ) {
    super(url, opts.auth);
  }

  override async raw(
    method: string,
    path: string,
    init: { body?: string | FormData; headers?: Record<string, string> } = {},
  ): Promise<RawResponse> {
    let body: string | Buffer | undefined;
    const headers = { ...init.headers };
    if (init.body instanceof FormData) {
      // Let the platform encode the multipart body, then send its bytes.
      const encoded = new Response(init.body);
      headers['content-type'] = encoded.headers.get('content-type')!;
      body = Buffer.from(await encoded.arrayBuffer());
    } else {
      body = init.body;
    }
    return request(`${this.url}${path}`, { method, headers, body, auth: this.opts.auth, caFile: this.opts.caFile });
  }
}

export interface RestClientOptions {
  auth?: Auth;
  caFile?: string;
  /**
   * Without `auth`: the admin token to send; default the one of the master (started by this test process)
   * serving the URL; `null` sends none (an anonymous client).
   */
  adminToken?: string | null;
}

/** JSON client of the master's own REST API. */
export class RestClient {
  constructor(
    readonly url: string,
    private readonly opts: RestClientOptions = {},
  ) {}

  /** What the client proves itself with: basic auth, else the admin token (read at each call: restarts keep it). */
  #credentials(): { auth?: Auth; bearer?: string } {
    if (this.opts.auth) return { auth: this.opts.auth };
    const token = this.opts.adminToken === undefined ? adminTokenFor(this.url) : this.opts.adminToken;
    return token === null || token === undefined ? {} : { bearer: token };
  }

  call(method: string, path: string, body?: unknown): Promise<RawResponse> {
    return request(`${this.url}${path}`, {
      method,
      ...this.#credentials(),
      caFile: this.opts.caFile,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
  }

  /** Calls and asserts a 2xx answer; returns the JSON body. */
  async ok(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const r = await this.call(method, path, body);
    if (r.status < 200 || r.status > 299) {
      throw new Error(`${method} ${path} answered ${r.status}: ${r.text.slice(0, 500)}`);
    }
    return r.json;
  }

  get(path: string): Promise<Record<string, unknown>> {
    return this.ok('GET', path);
  }

  /** Opens a streaming GET (SSE). */
  stream(path: string, headers: Record<string, string> = {}): Promise<IncomingMessage> {
    return open(`${this.url}${path}`, {
      headers: { accept: 'text/event-stream', ...headers },
      ...this.#credentials(),
      caFile: this.opts.caFile,
      timeoutMs: 600_000,
    });
  }
}

export interface SseEvent {
  event: string;
  id: string | undefined;
  data: string;
}

/**
 * Parses a text/event-stream body into events as they arrive. With `comments`, each comment line (`: keepalive`)
 * is yielded too, as an event named `:` with the comment's text as data.
 */
export async function* sseEvents(res: IncomingMessage, opts: { comments?: boolean } = {}): AsyncGenerator<SseEvent> {
  let buf = '';
  for await (const chunk of res) {
    buf += (chunk as Buffer).toString('utf8');
    let end: number;
    while ((end = buf.search(/\r?\n\r?\n/)) !== -1) {
      const block = buf.slice(0, end);
      buf = buf.slice(end).replace(/^\r?\n\r?\n/, '');
      let event = 'message';
      let id: string | undefined;
      const data: string[] = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith(':') && opts.comments) yield { event: ':', id: undefined, data: line.slice(1).trim() };
        if (line === '' || line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'id') id = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length > 0 || event !== 'message') yield { event, id, data: data.join('\n') };
    }
  }
}
