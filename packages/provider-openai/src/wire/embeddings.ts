import { EMPTY_PARTIAL, JsonAnswerAccumulator, type Operation } from '@x/provider-core';
import { OpenAIStreamError } from '../errors';
import type { EmbedRequest, EmbedResponse } from '../types';
import { toEmbedBody, type WireDialect } from './body';

type Json = Record<string, unknown>;

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** A base64 embedding: little-endian float32 values, as OpenAI sends them. */
function decodeFloats(base64: string): number[] {
  const bytes = Buffer.from(base64, 'base64');
  const count = bytes.byteLength >> 2;
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) out[i] = bytes.readFloatLE(i * 4);
  return out;
}

/** Reads a whole `/embeddings` answer (never streamed). */
function embedAccumulator(redact: (text: string) => string, label: string) {
  return new JsonAnswerAccumulator<EmbedResponse>({
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
      const items = (parsed.data as unknown[])
        .filter((item): item is Json => typeof item === 'object' && item !== null)
        .sort((a, b) => (num(a.index) ?? 0) - (num(b.index) ?? 0));
      const usage = (
        typeof parsed.usage === 'object' && parsed.usage !== null ? parsed.usage : {}
      ) as Json;
      return {
        model: typeof parsed.model === 'string' ? parsed.model : '',
        embeddings: items.map((item) =>
          typeof item.embedding === 'string'
            ? decodeFloats(item.embedding)
            : Array.isArray(item.embedding)
              ? (item.embedding as number[])
              : [],
        ),
        usage: { promptTokens: num(usage.prompt_tokens), totalTokens: num(usage.total_tokens) },
        timings: { latencyMs: undefined },
        attempts: 0,
        cached: false,
      };
    },
  });
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
    answersAtOnce: true,
    checksContext: false,
    model: (request: EmbedRequest) => request.model,
    prompt: (request: EmbedRequest) => ({
      text: typeof request.input === 'string' ? request.input : request.input.join('\n'),
    }),
    cacheKey: (request: EmbedRequest) => ({
      endpoint: '/embeddings',
      model: request.model,
      input: request.input,
      dimensions: request.dimensions,
      temperature: 0,
    }),
    body: (request: EmbedRequest) => toEmbedBody(request, dialect),
    accumulator: (redact: (text: string) => string) => embedAccumulator(redact, label),
    finish(response: EmbedResponse, _prepared: unknown, request: EmbedRequest) {
      if (response.model === '') response.model = request.model;
    },
  });
}
