import { createTopics, type Topic } from '@x/internal';
import type { FinishReason, Usage } from '../types';
import type { AuditEvent } from './audit';

/** Payload of `onRetry` and `x:<package>:retry`. */
export interface RetryEvent {
  endpoint: string;
  model: string | undefined;
  /** The attempt about to be made (2 for the first retry). */
  attempt: number;
  delayMs: number;
  code: string | undefined;
  /** The error's message, secrets scrubbed. */
  message: string;
}

/** Payload of `onError` and `x:<package>:error`. */
export interface ErrorEvent {
  model: string | undefined;
  endpoint: string;
  code: string | undefined;
  name: string;
  /** The error's message, secrets scrubbed. */
  message: string;
}

/** Payload of `onResponse` and `x:<package>:response`. */
export interface ResponseEvent {
  model: string;
  cached: boolean;
  attempts: number;
  latencyMs: number | undefined;
  usage: Usage;
  finishReason: FinishReason | undefined;
  truncated: boolean;
}

/** Payload of `onTruncated` and `x:<package>:truncated`. */
export interface TruncatedEvent {
  model: string;
  estimatedPromptTokens: number;
  /** The prompt tokens the server counted. */
  promptEvalCount: number;
  /** The window the request was sent with (Ollama's `num_ctx`), when one was sent. */
  numCtx: number | undefined;
}

/** Payload of `onContextRaised` and `x:<package>:context-raised`. */
export interface ContextRaisedEvent {
  model: string;
  from: number;
  to: number;
  promptTokens: number;
}

/** Payload of `x:<package>:cache-hit`. */
export interface CacheHitEvent {
  model: string;
}

/** Every event of a provider, by name. */
export interface ProviderEventMap extends Record<string, unknown> {
  retry: RetryEvent;
  error: ErrorEvent;
  response: ResponseEvent;
  truncated: TruncatedEvent;
  'context-raised': ContextRaisedEvent;
  'cache-hit': CacheHitEvent;
  audit: AuditEvent;
}

/** The topics of one provider package: listeners plus the `x:<package>:<event>` channels. */
export type ProviderTopics = { [K in keyof ProviderEventMap]: Topic<ProviderEventMap[K]> };

export function createProviderTopics(pkg: string): ProviderTopics {
  return createTopics<ProviderEventMap>(pkg, [
    'retry',
    'error',
    'response',
    'truncated',
    'context-raised',
    'cache-hit',
    'audit',
  ]);
}
