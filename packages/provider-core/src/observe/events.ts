import { closestKey, fail, Topic } from '@x/internal';
import type { FinishReason, Usage } from '../types';
import type { AuditEvent } from './audit';

/** Payload of `onRetry` and `x:<package>:retry`. */
export interface RetryEvent {
  /**
   * The provider's `name` option (its id unless set), as its metrics and audit events name it:
   * which of several providers of one package it came from.
   */
  provider: string;
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
  /**
   * The provider's `name` option (its id unless set), as its metrics and audit events name it:
   * which of several providers of one package it came from.
   */
  provider: string;
  model: string | undefined;
  endpoint: string;
  code: string | undefined;
  name: string;
  /** The error's message, secrets scrubbed. */
  message: string;
}

/** Payload of `onResponse` and `x:<package>:response`. */
export interface ResponseEvent {
  /**
   * The provider's `name` option (its id unless set), as its metrics and audit events name it:
   * which of several providers of one package it came from.
   */
  provider: string;
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
  /**
   * The provider's `name` option (its id unless set), as its metrics and audit events name it:
   * which of several providers of one package it came from.
   */
  provider: string;
  model: string;
  estimatedPromptTokens: number;
  /** The prompt tokens the server counted. */
  promptEvalCount: number;
  /** The window the request was sent with (Ollama's `num_ctx`), when one was sent. */
  numCtx: number | undefined;
}

/** Payload of `onContextRaised` and `x:<package>:context-raised`. */
export interface ContextRaisedEvent {
  /**
   * The provider's `name` option (its id unless set), as its metrics and audit events name it:
   * which of several providers of one package it came from.
   */
  provider: string;
  model: string;
  from: number;
  to: number;
  promptTokens: number;
}

/** Payload of `x:<package>:cache-hit`. */
export interface CacheHitEvent {
  /**
   * The provider's `name` option (its id unless set), as its metrics and audit events name it:
   * which of several providers of one package it came from.
   */
  provider: string;
  model: string;
}

/**
 * Every event of a provider, by name. No index signature: `keyof` is the event names, so a
 * misspelt one (`on('respnse', ...)`) does not compile.
 */
export interface ProviderEventMap {
  retry: RetryEvent;
  error: ErrorEvent;
  response: ResponseEvent;
  truncated: TruncatedEvent;
  'context-raised': ContextRaisedEvent;
  'cache-hit': CacheHitEvent;
  audit: AuditEvent;
}

/** The event names, in the order the README lists them. */
export const PROVIDER_EVENTS: readonly (keyof ProviderEventMap)[] = Object.freeze([
  'retry',
  'error',
  'response',
  'truncated',
  'context-raised',
  'cache-hit',
  'audit',
]);

/**
 * The topic of an event whose payload names its provider. The stages that build a payload do not
 * know the provider's `name`: it is added here, last, so no field of theirs can stand in for it.
 */
export class ProviderTopic<E extends { provider: string }> extends Topic<E> {
  readonly #provider: string;

  constructor(pkg: string, event: string, provider: string) {
    super(pkg, event);
    this.#provider = provider;
  }

  override emit(event: Omit<E, 'provider'>): void {
    super.emit({ ...event, provider: this.#provider } as E);
  }
}

/** The topics of one provider: listeners plus the `x:<package>:<event>` channels. */
export type ProviderTopics = {
  [K in Exclude<keyof ProviderEventMap, 'audit'>]: ProviderTopic<ProviderEventMap[K]>;
} & {
  // `Audit` adds `provider` (and `time`) itself.
  audit: Topic<AuditEvent>;
};

/** @param provider the provider's `name` option, already checked to hold no credential */
export function createProviderTopics(pkg: string, provider: string): ProviderTopics {
  const topic = <K extends Exclude<keyof ProviderEventMap, 'audit'>>(event: K) =>
    new ProviderTopic<ProviderEventMap[K]>(pkg, event, provider);
  return {
    retry: topic('retry'),
    error: topic('error'),
    response: topic('response'),
    truncated: topic('truncated'),
    'context-raised': topic('context-raised'),
    'cache-hit': topic('cache-hit'),
    audit: new Topic<AuditEvent>(pkg, 'audit'),
  };
}

/**
 * The topic of `event`. A name that is no event (a misspelling from JavaScript, or a cast) is the
 * house `TypeError` naming the closest event, not a crash reading `.on` of `undefined`; an
 * inherited key (`toString`) is no event either.
 * @throws {TypeError} for a name that is not one of {@link PROVIDER_EVENTS}
 */
export function topicOf<K extends keyof ProviderEventMap>(
  topics: ProviderTopics,
  event: K,
): ProviderTopics[K] {
  if (typeof event === 'string' && Object.hasOwn(topics, event)) return topics[event];
  const near = typeof event === 'string' ? closestKey(event, PROVIDER_EVENTS) : undefined;
  const names = PROVIDER_EVENTS.map((name) => `\`${name}\``).join(', ');
  fail(
    'event',
    near === undefined ? `one of ${names}` : `a provider event (did you mean \`${near}\`?)`,
    event,
  );
}
