import type { ResolvedOptions } from '../options';
import type { Life } from './life';
import type { ModelStore } from './model-store';
import type { QuotaTicket } from './quota';
import type { Upload } from './request-body';
import type { Responder } from './responder';
import type { Scheduler } from './scheduler';

export type Json = Record<string, unknown>;

/** Counters the endpoints maintain (read by `stats()`). */
export interface Counters {
  promptTokens: number;
  evalTokens: number;
  streams: number;
  truncatedPrompts: number;
  /** Embedding vectors computed (a request abandoned midway stops adding to it). */
  embeddings: number;
}

/** What every endpoint handler works with: the options, the models, the queue, the counters. */
export interface SimContext {
  readonly opts: ResolvedOptions;
  readonly store: ModelStore;
  readonly scheduler: Scheduler;
  readonly counters: Counters;
}

/** One request as an endpoint sees it. */
export interface Exchange {
  /** The decoded JSON body (`{}` for requests without one). */
  readonly body: Json;
  /** A blob upload (`POST /api/blobs/:digest`), hashed as it arrived. */
  readonly upload: Upload | undefined;
  /** The `:digest` of `/api/blobs/:digest`. */
  readonly param: string | undefined;
  readonly method: string;
  readonly life: Life;
  readonly out: Responder;
  /** The request's place in the quota (`/v1` under `quota`): answers charge their tokens to it. */
  readonly quota: QuotaTicket | undefined;
}

/**
 * An error answer: Ollama's `{"error":"..."}`, or on `/v1` the OpenAI shape Ollama's middleware
 * rewrites it into.
 */
export function sendError(out: Responder, status: number, text: string): Promise<void> {
  return out.sendError(status, text);
}

/** Monotonic nanoseconds, for Ollama's `*_duration` counters. */
export const nowNs = (): number => performance.now() * 1e6;
