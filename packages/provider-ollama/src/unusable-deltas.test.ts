import type { ServerResponse } from 'node:http';
import { MAX_TOOL_CALLS, TOO_MANY_TOOL_CALLS } from '@x/internal';
import { type Handler, startRouteServer } from '@x/internal/testing';
import { describe, expect, it } from 'vitest';
import { closedAfterEach } from './__fixtures__/server';
import { isOllamaStreamError, isOllamaTimeoutError } from './errors';
import { createOllamaProvider, type OllamaProvider } from './provider';
import type { ChatRequest } from './types';

const { servers, providers } = closedAfterEach<{ close(): Promise<unknown> }>();

const ask: ChatRequest = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
const line = (
  message: Record<string, unknown>,
  done = false,
  extra: Record<string, unknown> = {},
) =>
  `${JSON.stringify({ model: 'm', created_at: 't', message: { role: 'assistant', content: '', ...message }, done, ...extra })}\n`;
const last = line({}, true, { done_reason: 'stop', prompt_eval_count: 1, eval_count: 1 });

/** Writes `first`, then `next` every 20 ms for as long as the connection stays open. */
function repeating(first: string[], next: string): Handler {
  return (_req, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    for (const text of first) res.write(text);
    const timer = setInterval(() => res.write(next), 20);
    res.on('close', () => clearInterval(timer));
  };
}

/** Writes `lines` and ends. */
const lines =
  (...texts: string[]): Handler =>
  (_req, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.end(texts.join(''));
  };

async function against(handler: Handler, extra: Record<string, unknown> = {}) {
  const server = await startRouteServer({ '/api/chat': handler });
  servers.push(server);
  // The first token gets 5 s: on a loaded machine a short one could fire before the idle deadline.
  const provider = createOllamaProvider({
    baseUrl: server.url,
    tokens: false,
    retry: false,
    cache: false,
    timeouts: { firstTokenMs: 5_000, idleMs: 300 },
    ...extra,
  });
  providers.push(provider);
  return provider;
}

async function drain(provider: OllamaProvider): Promise<string[]> {
  const seen: string[] = [];
  for await (const chunk of provider.stream(ask)) seen.push(chunk.content);
  return seen;
}

describe('lines whose tool calls or log probabilities hold nothing usable are no progress (real clock)', () => {
  const cases: Array<[string, string]> = [
    ['`tool_calls: [null]`', line({ tool_calls: [null] })],
    ['`logprobs: [null]`', line({}, false, { logprobs: [null] })],
    ['`logprobs` of malformed entries', line({}, false, { logprobs: [{ token: 1 }, 'x'] })],
  ];
  for (const [name, repeated] of cases) {
    it(`ends complete() and stream() at the idle deadline: ${name} forever`, async () => {
      const provider = await against(repeating([line({ content: 'Hello' })], repeated));
      for (const run of [() => provider.complete(ask), () => drain(provider)]) {
        const started = performance.now();
        const error = await run().catch((e: unknown) => e);
        expect(isOllamaTimeoutError(error)).toBe(true);
        expect(error).toMatchObject({ timeout: 'idle', partial: { content: 'Hello' } });
        // Generous: the deadline is 300 ms; before the fix the call never ended.
        expect(performance.now() - started).toBeLessThan(4_000);
      }
    }, 15_000);
  }

  it('keeps the usable calls of a list that also holds null items', async () => {
    const call = { function: { name: 'f', arguments: { n: 1 } } };
    const provider = await against(lines(line({ tool_calls: [null, call] }), last));
    const answer = await provider.complete(ask);
    expect(answer.toolCalls).toEqual([expect.objectContaining({ name: 'f', arguments: { n: 1 } })]);
    expect(answer.finishReason).toBe('tool_calls');
  });
});

describe('a tool call without a name is a malformed answer, never a call named ""', () => {
  const cases: Array<[string, unknown[]]> = [
    ['no `function`', [{}]],
    ['an empty name', [{ function: { name: '', arguments: {} } }]],
    ['a name that is not a string', [{ function: { name: 5, arguments: {} } }]],
    ['a named call, then a nameless one', [{ function: { name: 'f' } }, { function: {} }]],
  ];
  for (const [name, calls] of cases) {
    it(`fails complete(), stream() and a whole answer with OllamaStreamError invalid-json: ${name}`, async () => {
      const streamed = await against(lines(line({ tool_calls: calls }), last));
      const whole = await against(
        lines(line({ tool_calls: calls }, true, { done_reason: 'stop' })),
        { completeAs: 'whole' },
      );
      const runs = [() => streamed.complete(ask), () => drain(streamed), () => whole.complete(ask)];
      for (const run of runs) {
        const error = await run().catch((e: unknown) => e);
        expect(isOllamaStreamError(error)).toBe(true);
        expect(error).toMatchObject({ reason: 'invalid-json' });
        expect((error as Error).message).toMatch(/malformed tool call: tool call \d/);
      }
    });
  }
});

describe('an answer with more tool calls than any model makes', () => {
  const call = { function: { name: 'f', arguments: {} } };
  it('fails as malformed past the cap, in one chunk or spread over many, streamed or whole', async () => {
    const over = Array.from({ length: MAX_TOOL_CALLS + 1 }, () => call);
    const oneChunk = await against(lines(line({ tool_calls: over }), last));
    const manyChunks = await against(lines(...over.map((c) => line({ tool_calls: [c] })), last));
    const whole = await against(lines(line({ tool_calls: over }, true, { done_reason: 'stop' })), {
      completeAs: 'whole',
    });
    const runs = [
      () => oneChunk.complete(ask),
      () => drain(manyChunks),
      () => manyChunks.complete(ask),
      () => whole.complete(ask),
    ];
    for (const run of runs) {
      const error = await run().catch((e: unknown) => e);
      expect(isOllamaStreamError(error)).toBe(true);
      expect(error).toMatchObject({ reason: 'invalid-json' });
      expect((error as Error).message).toBe(
        `Ollama sent a malformed tool call: ${TOO_MANY_TOOL_CALLS}`,
      );
    }
  }, 30_000);

  it('counts calls, not the items that are skipped (null)', async () => {
    const full = [...Array.from({ length: MAX_TOOL_CALLS }, () => call), null, null];
    const provider = await against(lines(line({ tool_calls: full }), last));
    expect((await provider.complete(ask)).toolCalls).toHaveLength(MAX_TOOL_CALLS);
  }, 30_000);

  it('takes as many as the cap', async () => {
    const full = Array.from({ length: MAX_TOOL_CALLS }, () => call);
    const provider = await against(lines(...full.map((c) => line({ tool_calls: [c] })), last));
    expect((await provider.complete(ask)).toolCalls).toHaveLength(MAX_TOOL_CALLS);
  }, 30_000);
});
