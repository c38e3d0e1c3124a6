// A test double of a provider: answers, fails or waits as the test scripts it, and records every
// request. Used where the tests need exact control of time (fake timers) or of load; the
// behaviour against real servers is tested with @x/provider-ollama and @x/ollama-sim.
import {
  type BaseChatRequest,
  type BaseChatResponse,
  ContextOverflowError,
  chatResponse,
  ProviderApiError,
  type StreamChunk,
} from '@x/provider-core';
import type { RateLimiterLike, ServerLimitsLike } from '../types';

export const ORIGIN = { provider: 'fake', label: 'Fake' };

type Outcome = 'ok' | Error | (() => Error | 'ok');

export interface FakeProvider {
  readonly name: string;
  readonly requests: BaseChatRequest[];
  /** Outcomes of the next calls, in order; then `fallback` for every later call. */
  script: Outcome[];
  fallback: Outcome;
  /** Each call waits this long (fake timers drive it) before its outcome. */
  delayMs: number;
  /** Calls running now. */
  inFlight: number;
  breaker: { state: string; stats?(): { retryAfterMs: number | null } } | undefined;
  rateLimiter: RateLimiterLike | undefined;
  serverLimits?: () => ServerLimitsLike | undefined;
  complete(request: BaseChatRequest): Promise<BaseChatResponse>;
  stream(request: BaseChatRequest): AsyncIterable<StreamChunk>;
  embed(request: { model: string; input: string | readonly string[]; signal?: AbortSignal }): Promise<{
    model: string;
    embeddings: number[][];
  }>;
  close(): Promise<void>;
  closed: boolean;
}

function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

export function fakeProvider(name: string, options: { delayMs?: number } = {}): FakeProvider {
  const provider: FakeProvider = {
    name,
    requests: [],
    script: [],
    fallback: 'ok',
    delayMs: options.delayMs ?? 0,
    inFlight: 0,
    breaker: undefined,
    rateLimiter: undefined,
    closed: false,
    async complete(request) {
      provider.requests.push(request);
      provider.inFlight++;
      try {
        await wait(provider.delayMs, request.signal);
        const next = provider.script.length > 0 ? provider.script.shift()! : provider.fallback;
        const outcome = typeof next === 'function' ? next() : next;
        if (outcome !== 'ok') throw outcome;
        return chatResponse({ content: `from ${name}`, model: request.model });
      } finally {
        provider.inFlight--;
      }
    },
    stream(request) {
      return {
        async *[Symbol.asyncIterator]() {
          const answer = await provider.complete(request);
          for (const word of answer.content.split(' ')) {
            yield { content: word, thinking: undefined, toolCalls: undefined, done: false, response: undefined };
          }
          yield { content: '', thinking: undefined, toolCalls: undefined, done: true, response: answer };
        },
      };
    },
    async embed(request) {
      await provider.complete({ model: request.model, messages: [], signal: request.signal });
      return { model: request.model, embeddings: [[1, 0]] };
    },
    async close() {
      provider.closed = true;
    },
  };
  return provider;
}

/** An HTTP error answer of the server, as every provider maps it. */
export function apiError(
  statusCode: number,
  init: { retryable?: boolean; retryAfterMs?: number; kind?: 'api' | 'server-busy' | 'model-not-found' } = {},
): ProviderApiError {
  return new ProviderApiError({
    origin: ORIGIN,
    statusCode,
    serverMessage: `status ${statusCode}`,
    endpoint: '/chat',
    retryable: init.retryable ?? (statusCode === 429 || statusCode >= 500),
    retryAfterMs: init.retryAfterMs,
    ...(init.kind !== undefined ? { kind: init.kind, reason: init.kind.toUpperCase() } : {}),
  });
}

/** A prompt (`promptTokens`) that the window in use (`contextWindow`) cannot hold, estimated before sending. */
export function overflowError(init: {
  model: string;
  promptTokens: number;
  contextWindow: number;
  trainedContextLength?: number;
}): ContextOverflowError {
  return new ContextOverflowError({ origin: ORIGIN, source: 'estimate', ...init });
}

export const HI = [{ role: 'user', content: 'Hi' }] as const;

/** A chunk of a streamed answer that is not its last. */
export function textChunk(content: string): StreamChunk {
  return { content, thinking: undefined, toolCalls: undefined, done: false, response: undefined };
}
