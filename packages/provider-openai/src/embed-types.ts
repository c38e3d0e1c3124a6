import type { CacheMode } from '@x/provider-core';

/** An embeddings request (`/embeddings`). */
export interface EmbedRequest {
  model: string;
  /**
   * One text or several, or token ids (non-negative integers): one input's, or several inputs'.
   * Token ids are counted as they are (one token each) by the estimate.
   */
  input: string | readonly string[] | readonly number[] | readonly (readonly number[])[];
  /** Shorter vectors (text-embedding-3 models). */
  dimensions?: number | undefined;
  /**
   * The wire format; either way `embeddings` holds numbers.
   * @default the preset's (`base64` for OpenAI, as its own client does; `float` elsewhere)
   */
  encodingFormat?: 'float' | 'base64' | undefined;
  /** `user`: an id of your end user. */
  user?: string | undefined;
  signal?: AbortSignal | undefined;
  /** `'bypass'` neither reads nor writes the cache; `'refresh'` skips the read and stores. */
  cache?: CacheMode | undefined;
}

/** An embeddings answer. */
export interface EmbedResponse {
  model: string;
  /** One vector per input, in input order. */
  embeddings: number[][];
  /** The counts the server sent (a count it did not send is absent). */
  usage: { promptTokens?: number | undefined; totalTokens?: number | undefined };
  timings: { latencyMs: number | undefined; queueWaitMs?: number | undefined };
  attempts: number;
  /** True when served from the cache. */
  cached: boolean;
  /** The answer's `x-request-id`, as `ChatResponse.requestId`. */
  requestId: string | undefined;
}
