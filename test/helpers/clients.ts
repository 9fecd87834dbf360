/** A small Scrapyd API client for tests: form-encoded like real clients, typed by the protocol's response schemas. */
import { ScrapydErrorBody } from '@scrapyard/protocol';

export type Form = Record<string, string | string[]> | [string, string][];

function toParams(form: Form): URLSearchParams {
  const p = new URLSearchParams();
  const pairs = Array.isArray(form)
    ? form
    : Object.entries(form).flatMap(([k, v]) =>
        Array.isArray(v) ? v.map((x) => [k, x] as [string, string]) : [[k, v] as [string, string]],
      );
  for (const [k, v] of pairs) p.append(k, v);
  return p;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
}

export class ScrapydClient {
  constructor(
    readonly url: string,
    private readonly auth?: { username: string; password: string },
  ) {}

  #headers(extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { ...extra };
    if (this.auth) {
      h.authorization = `Basic ${Buffer.from(`${this.auth.username}:${this.auth.password}`).toString('base64')}`;
    }
    return h;
  }

  async raw(
    method: string,
    path: string,
    init: { body?: string | FormData; headers?: Record<string, string> } = {},
  ): Promise<RawResponse> {
    const res = await fetch(`${this.url}${path}`, { method, body: init.body, headers: this.#headers(init.headers) });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // not JSON (HTML, 401, 404): callers look at text
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  async get(endpoint: string, form: Form = {}): Promise<Record<string, unknown>> {
    const q = toParams(form).toString();
    const r = await this.raw('GET', `/${endpoint}${q ? `?${q}` : ''}`);
    return r.json;
  }

  async post(endpoint: string, form: Form = {}): Promise<Record<string, unknown>> {
    const r = await this.raw('POST', `/${endpoint}`, {
      body: toParams(form).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    return r.json;
  }

  /** addversion.json the way scrapyd-deploy sends it: multipart with an `egg` file part. */
  async addVersion(project: string, version: string, egg: Buffer): Promise<Record<string, unknown>> {
    const fd = new FormData();
    fd.append('project', project);
    fd.append('version', version);
    fd.append('egg', new Blob([egg]), `${project}.egg`);
    const r = await this.raw('POST', '/addversion.json', { body: fd });
    return r.json;
  }

  /** Fails the test with the server's message when the call did not succeed. */
  static ok(body: Record<string, unknown>): Record<string, unknown> {
    if (body.status !== 'ok') {
      const err = ScrapydErrorBody.safeParse(body);
      throw new Error(`expected status ok, got ${err.success ? err.data.message : JSON.stringify(body)}`);
    }
    return body;
  }
}
