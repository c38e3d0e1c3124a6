// Ollama's `/v1` sends nothing while a model writes a tool call: its OpenAI layer rewrites what its
// chat handler sends, which holds the call back until parsed, then sends it whole. Real clock: the
// server paces its events, a 300 ms silence against `idleMs` 100 and `firstTokenMs` 1,000.
import { describe, expect, it } from 'vitest';
import { chunk, DONE, type Handler, usageChunk } from './__fixtures__/server';
import { ask, collect, setup } from './__fixtures__/setup';
import { isOpenAITimeoutError } from './errors';
import type { OpenAIProviderOptions } from './options';
import type { ChatRequest } from './types';

const CALL = {
  index: 0,
  id: 'call_x1',
  type: 'function',
  function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
};
const TOOLS: ChatRequest['tools'] = [
  { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } },
];

/** Text, then `silentMs` of nothing (forever when undefined), then the call whole and the end. */
function toolCallAfter(silentMs: number | undefined): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(chunk({ role: 'assistant', content: 'Checking.' }));
    if (silentMs === undefined) return;
    const timer = setTimeout(
      () => res.end(chunk({ tool_calls: [CALL] }) + chunk({}, 'tool_calls') + usageChunk() + DONE),
      silentMs,
    );
    res.on('close', () => clearTimeout(timer));
  };
}

/** complete() and stream() against `handler` under `preset`: each one's tool calls, or its error. */
async function both(
  preset: OpenAIProviderOptions['preset'],
  handler: Handler,
  request: ChatRequest,
  timeouts = { firstTokenMs: 1_000, idleMs: 100 },
): Promise<unknown[]> {
  const { provider } = await setup(
    { '/chat/completions': handler },
    { preset, timeouts, retry: false },
  );
  const streamed = collect(provider.stream(request)).then((chunks) => {
    const last = chunks.at(-1);
    return last?.done === true ? last.response.toolCalls : undefined;
  });
  return Promise.all(
    [provider.complete(request).then((r) => r.toolCalls), streamed].map((call) =>
      call.catch((e: unknown) => e),
    ),
  );
}

const GOT_CALL = [{ id: 'call_x1', name: 'get_weather', arguments: { city: 'Paris' } }];

describe("preset 'ollama': the wait for a tool call sent whole (real clock)", () => {
  it('lets a request with tools be silent longer than idleMs while the call is written', async () => {
    const request = ask('weather?', { tools: TOOLS });
    const results = [
      ...(await both('ollama', toolCallAfter(300), request)),
      // a preset of your own that extends Ollama's is Ollama too
      ...(await both(
        { name: 'gpu-box', baseUrl: 'http://127.0.0.1:9/v1', extends: 'ollama' },
        toolCallAfter(300),
        request,
      )),
    ];
    for (const calls of results) expect(calls).toMatchObject(GOT_CALL);
  }, 10_000);

  it('keeps idleMs without tools, and for every other preset', async () => {
    const results = [
      ...(await both('ollama', toolCallAfter(300), ask('weather?'))),
      ...(await both('vllm', toolCallAfter(300), ask('weather?', { tools: TOOLS }))),
    ];
    for (const error of results) {
      expect(isOpenAITimeoutError(error)).toBe(true);
      expect(error).toMatchObject({ timeout: 'idle', timeoutMs: 100 });
    }
  }, 10_000);

  it('ends a request with tools whose server goes silent at firstTokenMs, typed', async () => {
    const results = await both(
      'ollama',
      toolCallAfter(undefined),
      ask('weather?', { tools: TOOLS }),
    );
    for (const error of results) {
      expect(isOpenAITimeoutError(error)).toBe(true);
      expect(error).toMatchObject({
        timeout: 'idle',
        timeoutMs: 1_000,
        retryable: false,
        partial: { content: 'Checking.' },
      });
      expect((error as Error).message).toContain('(timeouts.firstTokenMs)');
    }
  }, 10_000);
});
