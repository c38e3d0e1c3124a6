// A seeded soak of every server fault at once: each request draws its misbehaviour, each call its
// shape (complete in both modes, streams read or abandoned, caller aborts), many at a time. A
// failure names the seed; `CHAOS_SEEDS=5,6 pnpm vitest run src/chaos.test.ts` replays or explores.
import { type ChaosWire, chaosSeeds, expectChaosSoakHolds } from '@x/internal/testing';
import { type ConcurrencyLimiter, createConcurrencyLimiter } from '@x/rate-limit';
import { describe, it } from 'vitest';
import { chatChunk, doneChunk } from './__fixtures__/server';
import { isOllamaError } from './errors';
import { createOllamaProvider } from './provider';
import type { ChatRequest } from './types';

const ollamaWire: ChaosWire = {
  streamType: 'application/x-ndjson',
  // Ollama streams unless told `stream: false`.
  wantsStream: (body) => body.stream !== false,
  streamed: (words) => [...words.map((word) => chatChunk(word)), doneChunk()],
  whole: (words) =>
    JSON.stringify(
      JSON.parse(doneChunk({ message: { role: 'assistant', content: words.join('') } })),
    ),
  errorBody: (message) => JSON.stringify({ error: message }),
  streamError: (message) => `${JSON.stringify({ error: message })}\n`,
};

describe('createOllamaProvider under a seeded chaos mix of server faults (real clock: a load test)', () => {
  for (const seed of chaosSeeds([1, 2])) {
    // The vitest timeout is a backstop only: the watchdog reports a call unsettled after 4 s.
    it(`settles every call with an answer, a typed error or the caller's reason, then frees everything (seed ${seed})`, async () => {
      await expectChaosSoakHolds<ChatRequest, ConcurrencyLimiter>({
        seed,
        wire: ollamaWire,
        // The chaos server answers /api/chat only, not /api/show.
        create: ({ url, ...options }) =>
          createOllamaProvider({ ...options, baseUrl: url, tokens: false }),
        limiter: createConcurrencyLimiter({ maxConcurrent: 6, maxQueue: 6, timeoutMs: 400 }),
        pkg: 'provider-ollama',
        request: (content, signal) => ({
          model: 'llama3.2',
          messages: [{ role: 'user', content }],
          signal,
        }),
        isTyped: isOllamaError,
      });
    }, 60_000);
  }
});
