import type { Pool } from 'undici';

/**
 * The floors the provider suites compare `complete()` with: a raw undici request making the same
 * call and reading the answer the same way (whole JSON, or streamed lines parsed one by one and
 * the content joined), with nothing else: no validation, no pipeline.
 */
export interface RawCall {
  pool: Pool;
  path: string;
  headers: Record<string, string>;
  /** The request body, serialised once. */
  body: string;
}

async function send(call: RawCall) {
  const res = await call.pool.request({
    path: call.path,
    method: 'POST',
    headers: call.headers,
    body: call.body,
  });
  if (res.statusCode !== 200) {
    await res.body.dump();
    throw new Error(`HTTP ${res.statusCode}`);
  }
  return res;
}

/** One JSON answer (`stream: false`), parsed. */
export async function rawWhole(call: RawCall): Promise<unknown> {
  return (await send(call)).body.json();
}

/** Ollama's NDJSON lines, joined as they are given: each parsed, `message.content` appended. */
class NdjsonJoin {
  content = '';
  last: { done?: boolean; message?: { content?: string } } = {};

  add(line: string): void {
    if (line === '') return;
    this.last = JSON.parse(line);
    this.content += this.last.message?.content ?? '';
  }

  result(): unknown {
    if (this.last.done !== true) throw new Error('the stream ended before its final line');
    return { ...this.last, content: this.content };
  }
}

/** OpenAI's SSE lines, joined as they are given: each `data:` event parsed, deltas appended. */
class SseJoin {
  content = '';
  usage: unknown;
  done = false;

  /** False once `[DONE]` was read. */
  add(line: string): boolean {
    if (!line.startsWith('data:')) return true;
    const data = line.slice(5).trim();
    if (data === '[DONE]') {
      this.done = true;
      return false;
    }
    const event = JSON.parse(data) as {
      choices?: { delta?: { content?: string } }[];
      usage?: unknown;
    };
    this.content += event.choices?.[0]?.delta?.content ?? '';
    if (event.usage) this.usage = event.usage;
    return true;
  }

  result(): unknown {
    if (!this.done) throw new Error('the stream ended before [DONE]');
    return { content: this.content, usage: this.usage };
  }
}

/** Ollama's streamed answer read whole: NDJSON lines, each parsed, `message.content` joined. */
export async function rawNdjson(call: RawCall): Promise<unknown> {
  const text = await (await send(call)).body.text();
  const join = new NdjsonJoin();
  for (const line of text.split('\n')) join.add(line);
  return join.result();
}

/** OpenAI's streamed answer read whole: SSE `data:` events up to `[DONE]`, each parsed. */
export async function rawSse(call: RawCall): Promise<unknown> {
  const text = await (await send(call)).body.text();
  const join = new SseJoin();
  for (const line of text.split('\n')) if (!join.add(line)) break;
  return join.result();
}

/**
 * The body's complete lines as they arrive (a line split across chunks is joined first), for the
 * iterated floors: what a hand-written streaming client does.
 */
async function* linesOf(call: RawCall): AsyncGenerator<string, void, undefined> {
  const { body } = await send(call);
  let rest = '';
  for await (const chunk of body) {
    rest += (chunk as Buffer).toString('utf8');
    let newline = rest.indexOf('\n');
    while (newline !== -1) {
      yield rest.slice(0, newline);
      rest = rest.slice(newline + 1);
      newline = rest.indexOf('\n');
    }
  }
  if (rest !== '') yield rest;
}

/** Ollama's streamed answer read as it arrives: each NDJSON line parsed on arrival. */
export async function rawNdjsonIterated(call: RawCall): Promise<unknown> {
  const join = new NdjsonJoin();
  for await (const line of linesOf(call)) join.add(line);
  return join.result();
}

/** OpenAI's streamed answer read as it arrives: each SSE `data:` event parsed on arrival. */
export async function rawSseIterated(call: RawCall): Promise<unknown> {
  const join = new SseJoin();
  // Read to the end after `[DONE]`: the connection goes back to the pool.
  for await (const line of linesOf(call)) join.add(line);
  return join.result();
}
