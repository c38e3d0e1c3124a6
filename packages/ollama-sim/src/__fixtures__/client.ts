// Test helpers: a plain undici client that records the raw body chunks as they arrive.
import { setImmediate as realImmediate } from 'node:timers';
import { Agent, request } from 'undici';
import { type Fixture, loadRecordedFixtures } from '../fixtures';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  chunks: Buffer[];
  body: Buffer;
  text: string;
  error?: unknown;
}

export const agent = new Agent({ keepAliveTimeout: 10, keepAliveMaxTimeout: 10 });

export async function send(
  base: string,
  path: string,
  init: {
    method?: string;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
    signal?: AbortSignal;
  } = {},
): Promise<RawResponse> {
  const method = init.method ?? (init.body !== undefined || init.rawBody !== undefined ? 'POST' : 'GET');
  const body = init.rawBody ?? (init.body !== undefined ? JSON.stringify(init.body) : undefined);
  const res = await request(`${base}${path}`, {
    method: method as 'GET',
    body,
    headers: { 'content-type': 'application/json', ...init.headers },
    signal: init.signal,
    dispatcher: agent,
  });
  const chunks: Buffer[] = [];
  let error: unknown;
  try {
    for await (const chunk of res.body) chunks.push(Buffer.from(chunk as Uint8Array));
  } catch (e) {
    error = e;
  }
  const all = Buffer.concat(chunks);
  return {
    status: res.statusCode,
    headers: res.headers,
    chunks,
    body: all,
    text: all.toString('utf8'),
    error,
  };
}

export function lines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The recorded Ollama exchanges the package ships (`fixtures/ollama`). */
export function sharedFixtures(): { file: string; fixture: Fixture }[] {
  return loadRecordedFixtures();
}

let recorded: Map<string, Fixture> | undefined;

/** The shipped recorded exchange in `file` (loaded once per test file). */
export function fixture(file: string): Fixture {
  recorded ??= new Map(sharedFixtures().map((x) => [x.file, x.fixture]));
  return recorded.get(file)!;
}

/** The JSON body of the recorded response in `file`. */
export const fixtureJson = (file: string) =>
  JSON.parse(fixture(file).response.body!) as Record<string, unknown>;

/** The NDJSON lines of the recorded response in `file`. */
export const fixtureLines = (file: string) => lines(fixture(file).response.body!);

/** A chat body for `/api/chat` or `/v1/chat/completions`: one user message, `extra` merged in. */
export const chat = (extra: object = {}) => ({
  model: 'llama3.2',
  messages: [{ role: 'user', content: 'Why is the sky blue?' }],
  ...extra,
});

/** A conversation of one user message. */
export const user = (content: string) => [{ role: 'user', content }];

/** A response whose body chunks are pulled one at a time (to observe write boundaries and pauses). */
export interface OpenStream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The next body chunk, or null at the end; rejects when the connection breaks. */
  next(): Promise<Buffer | null>;
  /** Reads everything that is left. */
  rest(): Promise<{ chunks: Buffer[]; error?: unknown }>;
}

export async function open(
  base: string,
  path: string,
  body: unknown,
  signal?: AbortSignal,
): Promise<OpenStream> {
  const res = await request(`${base}${path}`, {
    method: 'POST',
    signal,
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
    dispatcher: agent,
  });
  const it = res.body[Symbol.asyncIterator]();
  const next = async () => {
    const r = await it.next();
    return r.done ? null : Buffer.from(r.value as Uint8Array);
  };
  return {
    status: res.statusCode,
    headers: res.headers,
    next,
    async rest() {
      const chunks: Buffer[] = [];
      try {
        for (let c = await next(); c !== null; c = await next()) chunks.push(c);
      } catch (error) {
        return { chunks, error };
      }
      return { chunks };
    },
  };
}

/** Whether a promise settles within a few real event-loop turns (without advancing fake time). */
export async function settlesSoon(promise: Promise<unknown>, turns = 20): Promise<boolean> {
  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  for (let i = 0; i < turns && !settled; i++) await new Promise((r) => realImmediate(r));
  return settled;
}

