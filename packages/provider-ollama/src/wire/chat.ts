import type { Operation, PromptInput, StreamFormat } from '@x/provider-core';
import type { ChatRequest, ChatResponse } from '../types';
import { chatBodyJson, requestedNumCtx, toChatBody } from './body';
import { ChatAccumulator } from './chat-accumulator';

/**
 * The part of a chat request that decides the answer: the cache key's input. None for no messages:
 * that request loads the model (or unloads it with `keepAlive: 0`) and generates nothing; it acts
 * on the server, so it is never cached, and each one reaches the server.
 */
function cacheKey(request: ChatRequest): Record<string, unknown> | undefined {
  return request.messages.length === 0 ? undefined : toChatBody(request, undefined, undefined);
}

/**
 * What the estimate counts: every string field of the messages, which here are the ones Ollama
 * renders into the prompt (content, thinking, tool name): no copy needed.
 */
function prompt(request: ChatRequest): PromptInput {
  const input: PromptInput = { messages: request.messages };
  if (request.tools !== undefined) input.tools = request.tools;
  return input;
}

/** Ollama streams newline-delimited JSON. */
export const NDJSON: StreamFormat = Object.freeze({
  framing: 'ndjson',
  accept: 'application/x-ndjson',
});

/**
 * Ollama sends nothing while a model writes a tool call: the server's tool parser holds the call's
 * text back and sends the call whole once parsed (`server/routes.go`, ChatHandler, which skips
 * the chunks that parser leaves empty; a model's built-in parser does the same).
 */
function sendsToolCallsWhole(request: ChatRequest): boolean {
  return request.tools !== undefined && request.tools.length > 0;
}

/**
 * `/api/chat`: Ollama's chat endpoint, always streamed as NDJSON on the wire, also for `complete()`
 * (read whole before it returns): a `stream: false` answer sends nothing until it is complete, so
 * no deadline could tell a long generation from a dead server.
 */
export const CHAT: Operation<ChatRequest, ChatResponse> = Object.freeze({
  name: 'chat',
  endpoint: '/api/chat',
  stream: NDJSON,
  checksContext: true,
  model: (request: ChatRequest) => request.model,
  prompt,
  reserve: (request: ChatRequest) => request.maxTokens,
  cacheKey,
  sendsToolCallsWhole,
  body: (request: ChatRequest, stream: boolean, prepared: { numCtx: number | undefined }) =>
    chatBodyJson(request, stream, prepared.numCtx),
  accumulator: (redact: (text: string) => string) => new ChatAccumulator(redact),
  finish(response: ChatResponse, prepared: { numCtx: number | undefined }, request: ChatRequest) {
    response.numCtx = prepared.numCtx ?? requestedNumCtx(request);
  },
});

/**
 * The same endpoint answered whole (`stream: false`): fewer bytes to parse, but the server sends
 * nothing until the answer is complete, so only `timeouts.totalMs` bounds a call
 * (`completeAs: 'whole'`).
 */
export const CHAT_WHOLE: Operation<ChatRequest, ChatResponse> = Object.freeze({
  ...CHAT,
  stream: undefined,
});
