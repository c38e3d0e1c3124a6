import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type HostileServer, startHttpHostile, startSilentHostile } from './hostile-server';

// Small servers that misbehave the way a broken or malicious LLM endpoint does, for tests of
// clients that must end every call, in bounded memory, with a typed error. Each listens on
// 127.0.0.1 (port 0), stops writing when its client goes away, and `close()` destroys every socket.

export type { HostileServer } from './hostile-server';

const NDJSON = 'application/x-ndjson';
const JSON_TYPE = 'application/json; charset=utf-8';

export interface EndlessBodyOptions {
  /** Bytes per write. @default 16384 */
  readonly chunkBytes?: number;
  /** @default 'application/json; charset=utf-8' */
  readonly contentType?: string;
  /** @default 200 */
  readonly status?: number;
}

/** Answers every request with random bytes, forever (chunked), as fast as the client reads them. */
export function startEndlessBody(options: EndlessBodyOptions = {}): Promise<HostileServer> {
  const block = randomBytes(options.chunkBytes ?? 16_384);
  return startHttpHostile(async ({ res, write }) => {
    res.writeHead(options.status ?? 200, { 'Content-Type': options.contentType ?? JSON_TYPE });
    while (await write(block)) {
      // Until the client goes away.
    }
  });
}

export interface EndlessLineOptions {
  /** Characters per write. @default 16384 */
  readonly chunkBytes?: number;
}

/**
 * Answers with an NDJSON stream whose first line never ends: a chat chunk's opening
 * (`{"model":"hostile","message":{"role":"assistant","content":"`) then `a` forever, no newline.
 */
export function startEndlessLine(options: EndlessLineOptions = {}): Promise<HostileServer> {
  const filler = 'a'.repeat(options.chunkBytes ?? 16_384);
  return startHttpHostile(async ({ res, write }) => {
    res.writeHead(200, { 'Content-Type': NDJSON });
    if (!(await write('{"model":"hostile","message":{"role":"assistant","content":"'))) return;
    while (await write(filler)) {
      // Until the client goes away.
    }
  });
}

export interface EndlessNdjsonOptions {
  /** The `model` of each chunk. @default 'hostile' */
  readonly model?: string;
  /** The `message.content` of each chunk. @default 'token ' */
  readonly content?: string;
  /** Pause between chunks in ms; 0 writes as fast as the client reads. @default 0 */
  readonly intervalMs?: number;
  /** Another message to repeat (a `/api/pull` progress line...), in place of a chat chunk. */
  readonly message?: Record<string, unknown>;
}

/** Answers `/api/chat`-style: valid NDJSON chunks with `done: false`, forever. */
export function startEndlessNdjson(options: EndlessNdjsonOptions = {}): Promise<HostileServer> {
  const line = `${JSON.stringify(
    options.message ?? {
      model: options.model ?? 'hostile',
      created_at: '2026-08-24T09:15:02.44446383Z',
      message: { role: 'assistant', content: options.content ?? 'token ' },
      done: false,
    },
  )}\n`;
  const intervalMs = options.intervalMs ?? 0;
  // Without a pause, lines are written in batches so the client, not the server, is the bottleneck.
  const batch = intervalMs > 0 ? line : line.repeat(Math.max(1, Math.floor(16_384 / line.length)));
  return startHttpHostile(async ({ res, write, wait }) => {
    res.writeHead(200, { 'Content-Type': NDJSON });
    while (await write(batch)) {
      if (intervalMs > 0 && !(await wait(intervalMs))) return;
    }
  });
}

export interface TrickleOptions {
  /** Pause before each byte, ms. @default 50 */
  readonly intervalMs?: number;
  /** The body, sent one byte at a time. @default a complete non-streamed chat answer */
  readonly body?: string;
  /** @default 'application/json; charset=utf-8' */
  readonly contentType?: string;
  /** @default 200 */
  readonly status?: number;
}

const CHAT_ANSWER = JSON.stringify({
  model: 'hostile',
  created_at: '2026-08-24T09:15:02.44446383Z',
  message: { role: 'assistant', content: 'Slowly.' },
  done: true,
  done_reason: 'stop',
  total_duration: 1000,
  load_duration: 100,
  prompt_eval_count: 1,
  prompt_eval_duration: 100,
  eval_count: 1,
  eval_duration: 100,
});

/** Sends the headers at once, then the body one byte every `intervalMs`, then ends. */
export function startTrickle(options: TrickleOptions = {}): Promise<HostileServer> {
  const body = Buffer.from(options.body ?? CHAT_ANSWER, 'utf8');
  const intervalMs = options.intervalMs ?? 50;
  return startHttpHostile(async ({ res, write, wait }) => {
    res.writeHead(options.status ?? 200, { 'Content-Type': options.contentType ?? JSON_TYPE });
    res.flushHeaders();
    for (let i = 0; i < body.length; i++) {
      if (!(await wait(intervalMs))) return;
      if (!(await write(body.subarray(i, i + 1)))) return;
    }
    res.end();
  });
}

/** Accepts connections and holds them: never a status line, never a header, never a byte. */
export function startNeverResponds(): Promise<HostileServer> {
  return startSilentHostile();
}

export interface DataAfterDoneOptions {
  /**
   * What follows the `done: true` line: `'lines'` more content lines, then the end; `'error'` an
   * `{"error"}` line, then the end; `'open'` nothing, and the connection is never ended.
   */
  readonly after: 'lines' | 'error' | 'open';
  /** Content lines before `done` (and after it, for `'lines'`). @default 3 */
  readonly lines?: number;
}

function chatLine(content: string, done: boolean): string {
  const chunk: Record<string, unknown> = {
    model: 'hostile',
    created_at: '2026-08-24T09:15:02.44446383Z',
    message: { role: 'assistant', content },
    done,
  };
  if (done) Object.assign(chunk, { done_reason: 'stop', eval_count: 3, prompt_eval_count: 5 });
  return `${JSON.stringify(chunk)}\n`;
}

/** A complete `/api/chat` stream (`content` lines, then `done: true`) followed by what should not be there. */
export function startDataAfterDone(options: DataAfterDoneOptions): Promise<HostileServer> {
  const count = options.lines ?? 3;
  return startHttpHostile(async ({ res, write }) => {
    res.writeHead(200, { 'Content-Type': NDJSON });
    for (let i = 0; i < count; i++) if (!(await write(chatLine(`part${i} `, false)))) return;
    if (!(await write(chatLine('', true)))) return;
    if (options.after === 'open') return; // headers and a done line sent; the end never comes
    if (options.after === 'error') await write('{"error":"an error after done"}\n');
    else for (let i = 0; i < count; i++) if (!(await write(chatLine(`after${i} `, false)))) return;
    res.end();
  });
}

export interface EchoSecretsOptions {
  /** @default 401 */
  readonly status?: number;
}

/** Every form in which a leaked value can come back: raw, URL-encoded, base64, base64url, hex. */
function forms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  return [
    value,
    encodeURIComponent(value),
    bytes.toString('base64'),
    bytes.toString('base64url'),
    bytes.toString('hex'),
    bytes.toString('hex').toUpperCase(),
  ];
}

/** The request's URL and each header value (and each word of it: `Bearer X` gives `X`), in every form. */
function echoText(req: IncomingMessage): string {
  const parts: string[] = [`${req.method} ${req.url}`];
  const url = new URL(req.url ?? '/', 'http://hostile');
  const values = [req.url ?? '/', ...url.searchParams.values()];
  for (const [name, value] of Object.entries(req.headers)) {
    for (const v of Array.isArray(value) ? value : [value ?? '']) {
      parts.push(`${name}: ${v}`);
      values.push(v, ...v.split(/\s+/).filter((w) => w !== ''));
    }
  }
  for (const value of values) parts.push(forms(value).join(' '));
  return parts.join('; ');
}

/**
 * Answers `status` (401 by default, 500 also useful) with `{"error": ...}` echoing the request's
 * URL and headers in raw, URL-encoded, base64, base64url and hex forms, as careless servers and
 * proxies do.
 */
export function startEchoSecrets(options: EchoSecretsOptions = {}): Promise<HostileServer> {
  return startHttpHostile(async ({ req, res }) => {
    // Drain the request body first so the answer is not a reset.
    for await (const _ of req) {
      // discard
    }
    const text = `invalid credentials for ${echoText(req)}`;
    const body = JSON.stringify({ error: text });
    res.writeHead(options.status ?? 401, {
      'Content-Type': JSON_TYPE,
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
  });
}
