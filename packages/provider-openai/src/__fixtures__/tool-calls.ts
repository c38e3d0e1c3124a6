import { expect } from 'vitest';
import { isOpenAIStreamError } from '../errors';
import type { ChatRequest } from '../types';
import { chunk, DONE, json, sse, usageChunk } from './server';
import { chats, collect, setup } from './setup';

/** The events of a streamed answer holding `calls`' deltas, then the finish reason and usage. */
export const streamedToolCalls = (...calls: Array<Array<Record<string, unknown>>>) => [
  chunk({ role: 'assistant', content: null, refusal: null }),
  ...calls.map((toolCalls) => chunk({ tool_calls: toolCalls })),
  chunk({}, 'tool_calls'),
  usageChunk(),
  DONE,
];

/**
 * `request` through `complete()` and then `stream()`, against a server answering `body` (one
 * JSON answer, or the events of a stream): both fail with the `invalid-json` `OpenAIStreamError`
 * of a malformed tool call saying `says`, and neither is retried (the same server would send the
 * same answer again), so the server is asked twice in all.
 */
export async function expectMalformedToolCall(
  body: string[],
  says: string,
  request: () => ChatRequest,
): Promise<void> {
  const whole = body.length === 1;
  const { server, provider } = await setup(
    { '/chat/completions': whole ? json(200, body[0]!) : sse(body) },
    { retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 1 } },
  );
  for (const read of ['complete', 'stream'] as const) {
    const error = await (read === 'complete'
      ? provider.complete(request())
      : collect(provider.stream(request()))
    ).catch((e: unknown) => e);
    expect(isOpenAIStreamError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'X_PROVIDER_OPENAI_STREAM', reason: 'invalid-json' });
    // The `openai` preset at a server other than OpenAI's is named by its host.
    expect((error as Error).message).toBe(
      `${new URL(server.url).host} sent a malformed tool call: ${says}`,
    );
  }
  expect(chats(server)).toHaveLength(2);
}
