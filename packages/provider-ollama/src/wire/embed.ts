import {
  EMPTY_PARTIAL,
  embeddingsMismatch,
  JsonAnswerAccumulator,
  type Operation,
} from '@x/provider-core';
import { EmbeddingDimensionsError } from '../embedding-dimensions-error';
import { OllamaStreamError } from '../errors';
import type { EmbedRequest, EmbedResponse } from '../types';
import { toEmbedBody } from './body';

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Reads a whole `/api/embed` answer (never streamed). */
function embedAccumulator(redact: (text: string) => string) {
  return new JsonAnswerAccumulator<EmbedResponse>({
    redact,
    invalid: (excerpt) =>
      new OllamaStreamError({
        reason: 'invalid-json',
        message: `Ollama's /api/embed answer is not JSON: ${excerpt}`,
        partial: EMPTY_PARTIAL,
      }),
    build: (parsed) => {
      const totalNs = num(parsed.total_duration);
      const loadNs = num(parsed.load_duration);
      const promptTokens = num(parsed.prompt_eval_count);
      return {
        model: typeof parsed.model === 'string' ? parsed.model : '',
        // Checked against the request in `finish`, before the answer can reach the cache.
        embeddings: Array.isArray(parsed.embeddings) ? (parsed.embeddings as number[][]) : [],
        // An unknown count is left out, as a chat answer's is (`usageOf`).
        usage: promptTokens === undefined ? {} : { promptTokens },
        timings: {
          totalMs: totalNs === undefined ? undefined : totalNs / 1e6,
          loadMs: loadNs === undefined ? undefined : loadNs / 1e6,
          latencyMs: 0,
        },
        attempts: 0,
        cached: false,
      };
    },
  });
}

/** `/api/embed`: embeddings of one text or several. */
export const EMBED: Operation<EmbedRequest, EmbedResponse> = Object.freeze({
  name: 'embed',
  endpoint: '/api/embed',
  checksContext: false,
  model: (request: EmbedRequest) => request.model,
  prompt: (request: EmbedRequest) => ({
    text: typeof request.input === 'string' ? request.input : request.input.join('\n'),
  }),
  // Embeddings are deterministic: the cache's default strategy keeps them (for its longest TTL).
  cacheKey: (request: EmbedRequest) => toEmbedBody(request),
  body: (request: EmbedRequest) => toEmbedBody(request),
  accumulator: embedAccumulator,
  finish(response: EmbedResponse, _prepared: unknown, request: EmbedRequest) {
    // An answer that is not one vector per input fails the call (never retried, never cached):
    // returned, the caller would pair its texts with the wrong vectors, or none.
    const mismatch = embeddingsMismatch(
      response.embeddings,
      typeof request.input === 'string' ? 1 : request.input.length,
    );
    if (mismatch !== undefined) {
      throw new OllamaStreamError({
        reason: 'invalid-json',
        message: `Ollama's /api/embed answer is not the embeddings asked for: ${mismatch}`,
        partial: EMPTY_PARTIAL,
      });
    }
    // Ollama cuts vectors only to fewer dimensions than the model's: asked for more, it answers
    // full-length ones without a word, and the caller would store vectors of the wrong size.
    // Thrown here, after the breaker's read and before the cache's store.
    const dimensions = request.dimensions;
    const length = response.embeddings[0]?.length;
    if (dimensions !== undefined && length !== undefined && length !== dimensions) {
      throw new EmbeddingDimensionsError({
        model: request.model,
        dimensions,
        embeddingLength: length,
        sent: true,
      });
    }
    // The echoed model, or the requested one when the server left it out.
    if (response.model === '') response.model = request.model;
  },
});
