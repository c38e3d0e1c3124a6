import type { Accumulator, Operation, PartialResponse, StreamChunk } from '@x/provider-core';
import { EMPTY_PARTIAL } from '@x/provider-core';
import { OllamaStreamError } from '../errors';
import type { EmbedRequest, EmbedResponse } from '../types';
import { toEmbedBody } from './body';

type Json = Record<string, unknown>;

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Reads a whole `/api/embed` answer (never streamed). */
class EmbedAccumulator implements Accumulator<StreamChunk<EmbedResponse>, EmbedResponse> {
  readonly #redact: (text: string) => string;
  #parsed: Json | undefined;

  constructor(redact: (text: string) => string) {
    this.#redact = redact;
  }

  get done(): boolean {
    return this.#parsed !== undefined;
  }

  get chunks(): number {
    return 0;
  }

  add(): undefined {
    return undefined;
  }

  addWhole(text: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null) {
      // No SyntaxError as cause: its message quotes the body unredacted.
      throw new OllamaStreamError({
        reason: 'invalid-json',
        message: `Ollama's /api/embed answer is not JSON: ${this.#redact(text.trim()).slice(0, 80)}`,
        partial: EMPTY_PARTIAL,
      });
    }
    this.#parsed = parsed as Json;
  }

  partial(): PartialResponse {
    return EMPTY_PARTIAL;
  }

  build(): EmbedResponse {
    const parsed = this.#parsed ?? {};
    const totalNs = num(parsed.total_duration);
    const loadNs = num(parsed.load_duration);
    return {
      model: typeof parsed.model === 'string' ? parsed.model : '',
      embeddings: Array.isArray(parsed.embeddings) ? (parsed.embeddings as number[][]) : [],
      usage: { promptTokens: num(parsed.prompt_eval_count) },
      timings: {
        totalMs: totalNs === undefined ? undefined : totalNs / 1e6,
        loadMs: loadNs === undefined ? undefined : loadNs / 1e6,
        latencyMs: 0,
      },
      attempts: 0,
      cached: false,
    };
  }
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
  accumulator: (redact: (text: string) => string) => new EmbedAccumulator(redact),
  finish(response: EmbedResponse, _prepared: unknown, request: EmbedRequest) {
    // The echoed model, or the requested one when the server left it out.
    if (response.model === '') response.model = request.model;
  },
});
