import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import type { createOllamaProvider, OllamaProviderOptions } from '@x/provider-ollama';
import type { Pool } from 'undici';

/**
 * The provider every driver measures: cache off, and a rate limiter it never reaches (the pipeline
 * runs the step, nothing waits). `whole`: `completeAs: 'whole'`, one JSON answer (`stream: false`).
 */
export function measuredOptions(baseUrl: string, whole: boolean): OllamaProviderOptions {
  return {
    baseUrl,
    cache: false,
    rateLimit: { requestsPerSecond: 1e9, burst: 1e9 },
    ...(whole ? { completeAs: 'whole' as const } : {}),
  };
}

/** The request every driver makes: a short chat, answered with 16 tokens. */
export const MODEL = 'llama3.2';
export const messages = [
  { role: 'system' as const, content: 'You are a concise assistant.' },
  { role: 'user' as const, content: 'Say hello to user number 1.' },
];

/**
 * The request `complete()` makes, raw: the answer streamed as NDJSON, read whole, each line
 * parsed, the content joined.
 */
export function rawStreamedChat(pool: Pool): () => Promise<unknown> {
  const send = rawChat(pool, true);
  return async () => {
    const res = await send();
    let content = '';
    let last: {
      done?: boolean | undefined;
      message?: { content?: string | undefined } | undefined;
    } = {};
    for (const line of (await res.body.text()).split('\n')) {
      if (line === '') continue;
      last = JSON.parse(line);
      content += last.message?.content ?? '';
    }
    if (last.done !== true) throw new Error('incomplete');
    return { ...last, content };
  };
}

/** The request `completeAs: 'whole'` makes, raw: `stream: false`, one JSON answer parsed. */
export function rawWholeChat(pool: Pool): () => Promise<unknown> {
  const send = rawChat(pool, false);
  return async () => (await send()).body.json();
}

/** The chat request made raw, its body serialised once; a status other than 200 throws. */
function rawChat(pool: Pool, stream: boolean) {
  const body = JSON.stringify({ model: MODEL, messages, stream });
  return async () => {
    const res = await pool.request({
      path: '/api/chat',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
    return res;
  };
}

/**
 * @x/ollama-sim in a child process, as Ollama would be (its CPU is not the client's), answering at
 * once with 16 tokens. `close()` ends it.
 */
export async function startSimChild(): Promise<{ url: string; close: () => void }> {
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { startOllamaSim } = await import('@x/ollama-sim');
       const sim = await startOllamaSim({ numParallel: 256, maxQueue: 4096, maxLogEntries: 0, responseTokens: { min: 16, max: 16 } });
       process.stdout.write(sim.url + '\\n');
       process.stdin.on('end', () => sim.close().then(() => process.exit(0)));
       process.stdin.resume();`,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'], cwd: new URL('..', import.meta.url) },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      if (buffer.includes('\n')) resolve(buffer.split('\n')[0]!.trim());
    });
    child.once('exit', (code) => reject(new Error(`simulator exited (${code})`)));
  });
  return { url, close: () => child.stdin!.end() };
}

/**
 * `createOllamaProvider` of the build saved in `folder` by `profile/save-build.ts`, for timing it
 * beside the current build in one process (`--baseline=<folder>`).
 */
export async function loadBaseline(folder: string): Promise<typeof createOllamaProvider> {
  const entry = pathToFileURL(`${folder}/node_modules/@x/provider-ollama/dist/index.js`).href;
  const loaded = (await import(entry)) as { createOllamaProvider: typeof createOllamaProvider };
  return loaded.createOllamaProvider;
}

/** `calls` calls made by `c` callers, each calling in a loop until none are left. */
export async function byCallers(
  fn: () => Promise<unknown>,
  c: number,
  calls: number,
): Promise<void> {
  let left = calls;
  await Promise.all(
    Array.from({ length: c }, async () => {
      while (left-- > 0) await fn();
    }),
  );
}
