import { type Deferred, deferred } from '@x/internal';
import {
  type BaseChatRequest,
  type BaseChatResponse,
  chatResponse,
  type StreamChunk,
} from '@x/provider-core';
import { expect, vi } from 'vitest';
import type { Router } from '../router';
import { createRouter } from '../router';
import { textChunk } from './fake-provider';

/**
 * A provider of the test's own that ignores its signal, has no `destroy()` and whose `close()`
 * ends nothing: each answer, each stream's chunk after the first (`first`: a chunk, the last
 * chunk, or none) and each `return()` waits until the test settles it, which may be never.
 */
export function hostileProvider(options: { first?: 'chunk' | 'last' | 'none' } = {}) {
  const answers: Deferred<BaseChatResponse>[] = [];
  const chunks: Deferred<IteratorResult<StreamChunk>>[] = [];
  const returns: Deferred<IteratorResult<StreamChunk>>[] = [];
  const provider = {
    closed: false,
    complete: (_request: BaseChatRequest) => {
      const answer = deferred<BaseChatResponse>();
      answers.push(answer);
      return answer.promise;
    },
    embed: (request: {
      model: string;
      input: string | readonly string[];
      signal?: AbortSignal | undefined;
    }) =>
      provider
        .complete({ model: request.model, messages: [] })
        .then(() => ({ model: request.model, embeddings: [[1, 0]] })),
    stream: (_request: BaseChatRequest): AsyncIterable<StreamChunk> => {
      let sent = options.first === 'none';
      return {
        [Symbol.asyncIterator]: () => ({
          next: () => {
            if (!sent) {
              sent = true;
              return Promise.resolve({
                done: false as const,
                value: options.first === 'last' ? LAST : textChunk('Hel'),
              });
            }
            const chunk = deferred<IteratorResult<StreamChunk>>();
            chunks.push(chunk);
            return chunk.promise;
          },
          return: () => {
            const ended = deferred<IteratorResult<StreamChunk>>();
            returns.push(ended);
            return ended.promise;
          },
        }),
      };
    },
    close: async () => {
      provider.closed = true;
    },
  };
  return { provider, answers, chunks, returns };
}

const LAST: StreamChunk = {
  content: 'Hel',
  thinking: undefined,
  toolCalls: undefined,
  done: true,
  response: chatResponse({ content: 'Hel', model: 'm' }),
};

export type Hostile = ReturnType<typeof hostileProvider>['provider'];

export function routerOver(provider: Hostile, closeProviders: boolean) {
  const router = createRouter({
    deployments: [{ id: 'a', group: 'chat', provider, model: 'm' }],
    cooldown: { failures: 1 },
    closeProviders,
  });
  const told: unknown[] = [];
  router.onError((e) => told.push(e));
  router.onCooldown((e) => told.push(e));
  return { router, told };
}

/** Whether `promise` settled yet, and how; marked handled at once. */
export function watch(promise: Promise<unknown>) {
  const seen: { settled: boolean; error?: unknown } = { settled: false };
  promise.then(
    () => {
      seen.settled = true;
    },
    (error: unknown) => {
      seen.settled = true;
      seen.error = error;
    },
  );
  return seen;
}

/** The router's own view after destroy(): one call, cancelled, nothing judged, nothing held. */
export function expectCancelledOnly(router: Router, told: unknown[]): void {
  expect(router.stats()).toMatchObject({
    requests: 1,
    successes: 0,
    failures: 0,
    failuresByCode: {},
    cancelled: 1,
    inFlight: 0,
    cooldowns: { local: 0, shared: 0 },
  });
  expect(router.stats().deployments.a).toMatchObject({
    status: 'healthy',
    inFlight: 0,
    calls: 1,
    successes: 0,
    failures: 0,
  });
  expect(told).toEqual([]);
  expect(vi.getTimerCount()).toBe(0);
}

