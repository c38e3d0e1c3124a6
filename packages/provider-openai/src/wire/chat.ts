import type { Operation, PromptInput, StreamFormat } from '@x/provider-core';
import type { ChatMessage as TokensChatMessage } from '@x/tokens';
import type { OpenAIPresetName } from '../presets';
import type { ChatRequest, ChatResponse } from '../types';
import { cacheKeyBody, chatBodyJson, toChatBody, type WireDialect } from './body';
import { ChatAccumulator } from './chat-accumulator';
import { costAtTier } from './service-tier';

/** OpenAI streams server-sent events. */
export const SSE: StreamFormat = Object.freeze({ framing: 'sse', accept: 'text/event-stream' });

/** True for a request that offers tools (an empty list sends none). */
function hasTools(request: ChatRequest): boolean {
  return request.tools !== undefined && request.tools.length > 0;
}

/**
 * `/chat/completions`, buffered or streamed. The body is built once per call and shared by the
 * cache key, the token estimate (which counts the messages in OpenAI's shape, as OpenAI bills
 * them) and the request itself.
 */
export function chatOperation(
  /**
   * `usageAfterFinish`: the preset's, for the accumulator ({@link ChatAccumulator}); `local`: a
   * server of your own bills no tier (its price is what it is without one).
   */
  dialect: WireDialect & {
    usageAfterFinish?: boolean | undefined;
    local?: boolean | undefined;
  },
  label: string,
  /** `complete()` reads the answer as a stream (its first-token and idle deadlines apply). */
  streamed: boolean,
  /**
   * The server sends a tool call only whole, nothing while the model writes it (Ollama's `/v1`,
   * whose layer over its chat handler holds a call back until parsed): a request with tools may
   * then be silent between two chunks as long as before the first (`sendsToolCallsWhole`).
   */
  toolCallsWhole = false,
  /** The built-in preset it is or extends: whose prices a service tier has ({@link costAtTier}). */
  family?: OpenAIPresetName | undefined,
  /** For requests with `moderation`: a stream is read to its moderation chunk ({@link ChatAccumulator}). */
  moderated = false,
): Operation<ChatRequest, ChatResponse> {
  // The body of the request seen last: prompt(), cacheKey() and body() of one call ask for it in
  // turn. A WeakMap entry per call cost ~1 µs (most of it in the garbage collector's ephemeron
  // work); calls that interleave just build it again, a pure function of the request. finish()
  // lets go of it, so a large request is not held once its call has answered.
  let lastRequest: ChatRequest | undefined;
  let lastBody: Record<string, unknown> | undefined;
  const bodyOf = (request: ChatRequest): Record<string, unknown> => {
    if (request !== lastRequest || lastBody === undefined) {
      lastBody = toChatBody(request, dialect);
      lastRequest = request;
    }
    return lastBody;
  };
  return Object.freeze({
    name: 'chat',
    endpoint: '/chat/completions',
    stream: streamed ? SSE : undefined,
    checksContext: true,
    model: (request: ChatRequest) => request.model,
    prompt: (request: ChatRequest): PromptInput => {
      const messages = bodyOf(request).messages as readonly TokensChatMessage[];
      // Custom tools and calls too: `@x/tokens` counts their text (grammars, inputs) as billed.
      return request.tools === undefined ? { messages } : { messages, tools: request.tools };
    },
    reserve: (request: ChatRequest) => request.maxTokens,
    // Without the fields that do not change the answer (`service_tier`...): see cacheKeyBody.
    cacheKey: (request: ChatRequest) => cacheKeyBody(bodyOf(request)),
    // Left undefined for the other servers: no call to make on theirs.
    sendsToolCallsWhole: toolCallsWhole ? hasTools : undefined,
    body: (request: ChatRequest, stream: boolean) => chatBodyJson(bodyOf(request), stream, dialect),
    accumulator: (redact: (text: string) => string) =>
      new ChatAccumulator(redact, label, dialect.usageAfterFinish === true, moderated),
    finish(response: ChatResponse, _prepared: unknown, request: ChatRequest) {
      // The echoed model, or the requested one when the server left it out.
      if (response.model === '') response.model = request.model;
      // Priced at the standard tier by the reconcile step (for the requested model, as there):
      // another tier's price, where known.
      if (response.serviceTier !== undefined && response.costUsd !== undefined && !dialect.local) {
        response.costUsd = costAtTier(
          response.costUsd,
          response.serviceTier,
          family,
          request.model,
          response.usage,
        );
      }
      if (request === lastRequest) {
        lastRequest = undefined;
        lastBody = undefined;
      }
    },
  });
}
