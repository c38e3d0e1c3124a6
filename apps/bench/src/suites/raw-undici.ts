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

/** Ollama's streamed answer: NDJSON lines, each parsed, `message.content` joined. */
export async function rawNdjson(call: RawCall): Promise<unknown> {
  const text = await (await send(call)).body.text();
  let content = '';
  let last: { done?: boolean; message?: { content?: string } } = {};
  for (const line of text.split('\n')) {
    if (line === '') continue;
    last = JSON.parse(line);
    content += last.message?.content ?? '';
  }
  if (last.done !== true) throw new Error('the stream ended before its final line');
  return { ...last, content };
}

/** OpenAI's streamed answer: SSE `data:` events up to `[DONE]`, each parsed, deltas joined. */
export async function rawSse(call: RawCall): Promise<unknown> {
  const text = await (await send(call)).body.text();
  let content = '';
  let usage: unknown;
  let done = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith('data:')) continue;
    const data = line.slice(5).trim();
    if (data === '[DONE]') {
      done = true;
      break;
    }
    const event = JSON.parse(data) as {
      choices?: { delta?: { content?: string } }[];
      usage?: unknown;
    };
    content += event.choices?.[0]?.delta?.content ?? '';
    if (event.usage) usage = event.usage;
  }
  if (!done) throw new Error('the stream ended before [DONE]');
  return { content, usage };
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

/** Ollama's streamed answer read as it arrives: each NDJSON line parsed on arrival, content joined. */
export async function rawNdjsonIterated(call: RawCall): Promise<unknown> {
  let content = '';
  let last: { done?: boolean; message?: { content?: string } } = {};
  for await (const line of linesOf(call)) {
    if (line === '') continue;
    last = JSON.parse(line);
    content += last.message?.content ?? '';
  }
  if (last.done !== true) throw new Error('the stream ended before its final line');
  return { ...last, content };
}

/** OpenAI's streamed answer read as it arrives: each SSE `data:` event parsed on arrival. */
export async function rawSseIterated(call: RawCall): Promise<unknown> {
  let content = '';
  let usage: unknown;
  let done = false;
  for await (const line of linesOf(call)) {
    if (!line.startsWith('data:')) continue;
    const data = line.slice(5).trim();
    if (data === '[DONE]') {
      done = true;
      continue;
    }
    const event = JSON.parse(data) as {
      choices?: { delta?: { content?: string } }[];
      usage?: unknown;
    };
    content += event.choices?.[0]?.delta?.content ?? '';
    if (event.usage) usage = event.usage;
  }
  if (!done) throw new Error('the stream ended before [DONE]');
  return { content, usage };
}
