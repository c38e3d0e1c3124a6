// Test helpers: a plain undici client that records the raw body chunks as they arrive.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { type Fixture, loadFixture } from '../fixtures';

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
  init: { method?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const method = init.method ?? (init.body !== undefined || init.rawBody !== undefined ? 'POST' : 'GET');
  const body = init.rawBody ?? (init.body !== undefined ? JSON.stringify(init.body) : undefined);
  const res = await request(`${base}${path}`, {
    method: method as 'GET',
    body,
    headers: { 'content-type': 'application/json', ...init.headers },
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

export const fixtureDir = join(import.meta.dirname, 'ollama');

export function sharedFixtures(): { file: string; fixture: Fixture }[] {
  return readdirSync(fixtureDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, fixture: loadFixture(join(fixtureDir, file)) }));
}
