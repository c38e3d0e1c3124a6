import type { Operation, PromptInput } from '@x/provider-core';
import type { GenerateRequest, GenerateResponse } from '../types';
import { generateBodyJson, requestedNumCtx, toGenerateBody } from './body';
import { NDJSON } from './chat';
import { ChatAccumulator } from './chat-accumulator';

/** Folds `/api/generate` chunks (`response` text) and keeps the final `context`. */
class GenerateAccumulator extends ChatAccumulator {
  override build(): GenerateResponse {
    const context = this.final?.context;
    // Extended in place, not spread into a new object: a spread object given one more key takes
    // V8's slow path.
    const response = super.build() as GenerateResponse;
    response.context = Array.isArray(context)
      ? context.filter((t): t is number => typeof t === 'number')
      : undefined;
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
    prepared: { numCtx: number | undefined },
    request: GenerateRequest,
  ) {
    response.numCtx = prepared.numCtx ?? requestedNumCtx(request);
  },
});

/** `/api/generate` answered whole (`stream: false`), as {@link CHAT_WHOLE}. */
export const GENERATE_WHOLE: Operation<GenerateRequest, GenerateResponse> = Object.freeze({
  ...GENERATE,
  stream: undefined,
});
