import {
  EMPTY_PARTIAL,
  embeddingsMismatch,
  JsonAnswerAccumulator,
  type JsonAnswerInit,
  type Operation,
  type PromptInput,
} from '@x/provider-core';
import { OpenAIStreamError } from '../errors';
import type { EmbedRequest, EmbedResponse } from '../types';
import { toEmbedBody, type WireDialect } from './body';
import { requestIdOf } from './request-id';

type Json = Record<string, unknown>;

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Standard base64 with its padding, as OpenAI writes it (`Buffer.from` skips what is not). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * A base64 embedding: little-endian float32 values, as OpenAI sends them; `undefined` for text
 * that is not base64 of whole float32s (decoded leniently, it would be a vector of garbage).
 */
function decodeFloats(base64: string): number[] | undefined {
  if (!BASE64.test(base64)) return undefined;
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.byteLength % 4 !== 0) return undefined;
  const count = bytes.byteLength >> 2;
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) out[i] = bytes.readFloatLE(i * 4);
  return out;
}

/**
 * The vectors of `data` in input order, or what is wrong with it: each item's `index` must name
 * its input, `0..n-1` once each in any order. A server that sends no index at all gives them in
 * input order.
 */
function inInputOrder(data: unknown[]): unknown[] | string {
  const vectors = new Array<unknown>(data.length);
  const seen = new Array<boolean>(data.length).fill(false);
  const unnumbered = data.every(
    (item) => typeof item === 'object' && item !== null && (item as Json).index === undefined,
  );
  for (let i = 0; i < data.length; i++) {
    const item = data[i];
    if (typeof item !== 'object' || item === null) return `data[${i}] is not an object`;
    const index = unnumbered ? i : (item as Json).index;
    if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= data.length) {
      // Named by type unless a number: a server's string is not quoted into the error.
      const shown =
        typeof index === 'number' || index === null || index === undefined
          ? String(index)
          : `a ${typeof index}`;
      return `data[${i}].index is ${shown}, not one of 0..${data.length - 1}`;
    }
    if (seen[index as number]) return `index ${index} appears twice`;
    seen[index as number] = true;
    const embedding = (item as Json).embedding;
    if (typeof embedding === 'string') {
      const floats = decodeFloats(embedding);
      if (floats === undefined) return `embedding ${index} is not base64 of float32 values`;
      vectors[index as number] = floats;
    } else vectors[index as number] = embedding;
  }
  return vectors;
}

/** Reads a whole `/embeddings` answer (never streamed), with the request id of its headers. */
class EmbedAccumulator extends JsonAnswerAccumulator<EmbedResponse> {
  readonly #redact: (text: string) => string;
  #requestId: string | undefined;

  constructor(redact: (text: string) => string, label: string) {
    super(embedAnswer(redact, label));
    this.#redact = redact;
  }

  headers(headers: Readonly<Record<string, string | string[] | undefined>>): void {
    this.#requestId = requestIdOf(headers, this.#redact);
  }

  override build(): EmbedResponse {
    const response = super.build();
    response.requestId = this.#requestId;
    return response;
  }
}

/** How an `/embeddings` answer is read and built. */
function embedAnswer(
  redact: (text: string) => string,
  label: string,
): JsonAnswerInit<EmbedResponse> {
  return {
    redact,
    accept: (parsed) => Array.isArray(parsed.data),
    invalid: (excerpt) =>
      new OpenAIStreamError({
        label,
        reason: 'invalid-json',
        message: `${label}'s /embeddings answer is not an embedding list: ${excerpt}`,
        partial: EMPTY_PARTIAL,
      }),
    build: (parsed) => {
      const vectors = inInputOrder(parsed.data as unknown[]);
      if (typeof vectors === 'string') throw notAsked(label, vectors);
      const usage = (
        typeof parsed.usage === 'object' && parsed.usage !== null ? parsed.usage : {}
      ) as Json;
      return {
        model: typeof parsed.model === 'string' ? parsed.model : '',
        // Checked against the request in `finish`, before the answer can reach the cache.
        embeddings: vectors as number[][],
        usage: embedUsage(usage),
        timings: { latencyMs: undefined },
        attempts: 0,
        cached: false,
        requestId: undefined,
      };
    },
  };
}

/**
 * The error of an answer that is not the embeddings asked for: returned, the caller would pair
 * its texts with the wrong vectors, or none. It fails the call, never retried, never cached.
 */
function notAsked(label: string, mismatch: string): OpenAIStreamError {
  return new OpenAIStreamError({
    label,
    reason: 'invalid-json',
    message: `${label}'s /embeddings answer is not the embeddings asked for: ${mismatch}`,
    partial: EMPTY_PARTIAL,
  });
}

/** How many inputs, hence vectors: a text or one array of token ids is one. */
function inputCount(input: EmbedRequest['input']): number {
  return typeof input === 'string' || typeof input[0] === 'number' ? 1 : input.length;
}

/**
 * `/embeddings`. Embeddings are deterministic, so the cache key says so (`temperature: 0`): the
 * cache's default (`selective`) strategy stores them, where a chat request without a temperature
 * is not.
 */
export function embedOperation(
  dialect: WireDialect,
  label: string,
): Operation<EmbedRequest, EmbedResponse> {
  return Object.freeze({
    name: 'embed',
    endpoint: '/embeddings',
    checksContext: false,
    model: (request: EmbedRequest) => request.model,
    prompt: (request: EmbedRequest): PromptInput => {
      const { input } = request;
      if (typeof input === 'string') return { text: input };
      if (typeof input[0] === 'string') return { text: (input as readonly string[]).join('\n') };
      // Token ids are the count itself: no text to estimate (nor to teach the calibrator).
      let tokens = 0;
      for (const item of input) tokens += typeof item === 'number' ? 1 : (item as number[]).length;
      return { extraTokens: tokens };
    },
    cacheKey: (request: EmbedRequest) => ({
      endpoint: '/embeddings',
      model: request.model,
      input: request.input,
      dimensions: request.dimensions,
      temperature: 0,
    }),
    body: (request: EmbedRequest) => toEmbedBody(request, dialect),
    accumulator: (redact: (text: string) => string) => new EmbedAccumulator(redact, label),
    finish(response: EmbedResponse, _prepared: unknown, request: EmbedRequest) {
      const mismatch = embeddingsMismatch(response.embeddings, inputCount(request.input));
      if (mismatch !== undefined) throw notAsked(label, mismatch);
      if (response.model === '') response.model = request.model;
    },
  });
}

/** The counts of an embeddings answer, each present only when the server sent it. */
function embedUsage(usage: Json): EmbedResponse['usage'] {
  const out: EmbedResponse['usage'] = {};
  const promptTokens = num(usage.prompt_tokens);
  if (promptTokens !== undefined) out.promptTokens = promptTokens;
  const totalTokens = num(usage.total_tokens);
  if (totalTokens !== undefined) out.totalTokens = totalTokens;
  return out;
}
