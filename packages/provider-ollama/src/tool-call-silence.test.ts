// Ollama sends nothing while a model writes a tool call: its server buffers the call's text and
// sends the call whole once parsed (server/routes.go ChatHandler skips the chunks the tool parser
// holds back). Real clock: the server paces its lines, a 300 ms silence against `idleMs` 100 and
// `firstTokenMs` 1,000.
import type { ServerResponse } from 'node:http';
import { type Handler, startRouteServer } from '@x/internal/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { isOllamaTimeoutError } from './errors';
import type { ChatRequest, TimeoutOptions } from './index';
import { createOllamaProvider, type OllamaProvider } from './provider';

const servers: Array<{ close(): Promise<unknown> }> = [];
const providers: OllamaProvider[] = [];

afterEach(async () => {
  await Promise.all(providers.splice(0).map((p) => p.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const TOOLS: ChatRequest['tools'] = [
  { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } },
];
const plain: ChatRequest = { model: 'm', messages: [{ role: 'user', content: 'weather?' }] };
const withTools: ChatRequest = { ...plain, tools: TOOLS };

const line = (message: Record<string, unknown>, done = false) =>
  `${JSON.stringify({ model: 'm', created_at: 't', message: { role: 'assistant', ...message }, done })}\n`;
const CALL = { function: { name: 'get_weather', arguments: { city: 'Paris' } } };

/** Text, then `silentMs` of nothing (forever when undefined), then the call whole and the end. */
function toolCallAfter(silentMs: number | undefined): Handler {
  return (_req, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.write(line({ content: 'Checking.' }));
    if (silentMs === undefined) return;
    const timer = setTimeout(
      () => res.end(line({ content: '', tool_calls: [CALL] }) + line({ content: '' }, true)),
      silentMs,
    );
    res.on('close', () => clearTimeout(timer));
  };
}

async function against(handler: Handler, timeouts: TimeoutOptions) {
  const server = await startRouteServer({ '/api/chat': handler });
  servers.push(server);
  const provider = createOllamaProvider({
    baseUrl: server.url,
    tokens: false,
    cache: false,
    retry: false,
    timeouts,
  });
  providers.push(provider);
  return provider;
}

/** complete() and stream() of `request`: each one's tool calls, or its error. */
function both(provider: OllamaProvider, request: ChatRequest): Promise<unknown[]> {
  const streamed = (async () => {
    let calls: unknown;
    for await (const chunk of provider.stream(request))
      if (chunk.done) calls = chunk.response.toolCalls;
    return calls;
  })();
  return Promise.all(
    [provider.complete(request).then((r) => r.toolCalls), streamed].map((call) =>
      call.catch((e: unknown) => e),
    ),
  );
}

const LIMITS = { firstTokenMs: 1_000, idleMs: 100 };
const GOT_CALL = [{ name: 'get_weather', arguments: { city: 'Paris' } }];

describe('the wait for a tool call Ollama sends whole (real clock)', () => {
  it('lets a request with tools be silent longer than idleMs while the call is written', async () => {
    const provider = await against(toolCallAfter(300), LIMITS);
    for (const calls of await both(provider, withTools)) expect(calls).toMatchObject(GOT_CALL);
  }, 10_000);

  it('keeps idleMs for a request without tools', async () => {
    const provider = await against(toolCallAfter(300), LIMITS);
    for (const error of await both(provider, plain)) {
      expect(isOllamaTimeoutError(error)).toBe(true);
      expect(error).toMatchObject({ timeout: 'idle', timeoutMs: 100 });
    }
  }, 10_000);

  it('ends a request with tools whose server goes silent at firstTokenMs, typed and not retried', async () => {
    const provider = await against(toolCallAfter(undefined), LIMITS);
    for (const error of await both(provider, withTools)) {
      expect(isOllamaTimeoutError(error)).toBe(true);
      expect(error).toMatchObject({
        timeout: 'idle',
        timeoutMs: 1_000,
        retryable: false,
        partial: { content: 'Checking.' },
      });
      expect((error as Error).message).toContain('(timeouts.firstTokenMs)');
    }
  }, 10_000);

  it('bounds no wait of a request with tools when firstTokenMs is off', async () => {
    const provider = await against(toolCallAfter(300), { firstTokenMs: 0, idleMs: 100 });
    for (const calls of await both(provider, withTools)) expect(calls).toMatchObject(GOT_CALL);
  }, 10_000);
});
