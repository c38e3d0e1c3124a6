import type { Operation, PromptInput } from '@x/provider-core';
import type { GenerateRequest, GenerateResponse } from '../types';
import { generateBodyJson, requestedNumCtx, toGenerateBody } from './body';
import { NDJSON } from './chat';
import { ChatAccumulator } from './chat-accumulator';

/**
 * The longest `context` kept from an answer, in tokens, unless the window the request ran with is
 * larger: 2^20, past the trained window of nearly every model Ollama runs, and far past what one
 * machine holds for one request (a KV cache of 128 GiB for an 8B Llama 3 in f16). Not the window
 * itself: Ollama tokenizes the whole conversation (the earlier `context` and the prompt, as sent,
 * then the answer), not what the window held of it, so a long conversation's `context` may rightly
 * be longer than the window (a follow-up then raises the window, or is a `ContextOverflowError`).
 * Without a cap, one 16 MiB line of `0,` held 8 million numbers (~95 MB) per answer.
 */
const MAX_CONTEXT_TOKENS = 2 ** 20;

/**
 * The answer's `context` when it is a list of token ids (non-negative safe integers) of at most
 * `max` entries, else undefined: never part of one. A list cut to its last `max` tokens would lose
 * the conversation's start (the template's opening, the system prompt) and perhaps split a
 * character, and a follow-up would go on silently from that mangled history; one with an entry
 * that is not a token id would be refused before sending (`request.context[i]`). An answer without
 * `context` is one that cannot be continued, as with `raw`.
 */
function tokenIds(raw: unknown, max: number): number[] | undefined {
  // The length first: a list past the cap is never walked.
  if (!Array.isArray(raw) || raw.length > max) return undefined;
  for (const token of raw as unknown[]) {
    if (!Number.isSafeInteger(token) || (token as number) < 0) return undefined;
  }
  // The parsed line's own array, not a copy: nothing else holds it once the call ends.
  return raw as number[];
}

/** Folds `/api/generate` chunks (`response` text) and keeps the final `context`. */
class GenerateAccumulator extends ChatAccumulator {
  override build(): GenerateResponse {
    const context: unknown = this.final?.context;
    // Extended in place, not spread into a new object: a spread object given one more key takes
    // V8's slow path.
    const response = super.build() as GenerateResponse;
    // Unchecked until `finish`, which runs next and knows the window the request ran with.
    response.context = context as number[] | undefined;
    return response;
  }
}

/**
 * The part of a request that decides the answer: the cache key's input. None for an empty prompt:
 * that request loads the model (or unloads it with `keepAlive: 0`) and generates nothing; it acts
 * on the server, so it is never cached, and each one reaches the server.
 */
function cacheKey(request: GenerateRequest): Record<string, unknown> | undefined {
  return request.prompt ? toGenerateBody(request, undefined, undefined) : undefined;
}

/**
 * What the estimate counts: the system prompt, the prompt and the suffix, plus the tokens of an
 * earlier answer's `context`, which the server prepends.
 */
function prompt(request: GenerateRequest): PromptInput {
  const text = [request.system, request.prompt, request.suffix]
    .filter((part): part is string => part !== undefined && part.length > 0)
    .join('\n');
  return { text, extraTokens: request.context?.length ?? 0 };
}

/** `/api/generate`: a completion from a prompt, buffered or streamed as NDJSON. */
export const GENERATE: Operation<GenerateRequest, GenerateResponse> = Object.freeze({
  name: 'generate',
  endpoint: '/api/generate',
  stream: NDJSON,
  checksContext: true,
  model: (request: GenerateRequest) => request.model,
  prompt,
  reserve: (request: GenerateRequest) => request.maxTokens,
  cacheKey,
  body: (request: GenerateRequest, stream: boolean, prepared: { numCtx: number | undefined }) =>
    generateBodyJson(request, stream, prepared.numCtx),
  accumulator: (redact: (text: string) => string) =>
    new GenerateAccumulator(redact) as unknown as ReturnType<
      Operation<GenerateRequest, GenerateResponse>['accumulator']
    >,
  finish(
    response: GenerateResponse,
    prepared: { numCtx: number | undefined; window: number | undefined },
    request: GenerateRequest,
  ) {
    response.numCtx = prepared.numCtx ?? requestedNumCtx(request);
    response.context = tokenIds(
      response.context,
      Math.max(MAX_CONTEXT_TOKENS, prepared.window ?? 0),
    );
  },
});

/** `/api/generate` answered whole (`stream: false`), as {@link CHAT_WHOLE}. */
export const GENERATE_WHOLE: Operation<GenerateRequest, GenerateResponse> = Object.freeze({
  ...GENERATE,
  stream: undefined,
});
