import diagnosticsChannel from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import { expect } from 'vitest';

/** Every text an error can show: messages, stacks, own fields, the cause chain, JSON and util.inspect. */
export function errorTexts(errors: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const error of errors) {
    for (let e = error as Error | undefined; e !== undefined; e = e.cause as Error | undefined) {
      out.push(String(e), e.stack ?? '', JSON.stringify(e), JSON.stringify({ ...e }));
      out.push(inspect(e, { depth: 5, showHidden: true }));
    }
  }
  return out;
}

/** `everything` was scrubbed (says `[redacted]`) and holds neither `secret` nor any 8-character piece of it. */
export function expectNoSecret(everything: string, secret: string): void {
  expect(everything).toContain('[redacted]');
  for (let i = 0; i + 8 <= secret.length; i++) {
    expect(everything).not.toContain(secret.slice(i, i + 8));
  }
}

/** What a provider lets out besides its answers (structurally: any `@x` provider). */
interface Observable {
  onError(listener: (event: unknown) => void): unknown;
  onRetry(listener: (event: unknown) => void): unknown;
  onResponse(listener: (event: unknown) => void): unknown;
  readonly cache?:
    | {
        onSet(listener: (event: { key: unknown }) => void): unknown;
        onMiss(listener: (event: unknown) => void): unknown;
      }
    | undefined;
}

/** The events every provider publishes on its diagnostics channels. */
const PROVIDER_EVENTS = ['response', 'error', 'retry', 'truncated', 'cache-hit', 'context-raised'];

/** What {@link watchOutputs} collected; `stop()` unsubscribes the diagnostics channels. */
export interface Outputs {
  /** Diagnostics channel messages and error, retry and response events, in order. */
  seen: unknown[];
  /** The keys the cache stored, and its misses. */
  cacheKeys: unknown[];
  stop(): void;
}

/**
 * Collects what `provider` publishes: its `x:<pkg>:<event>` diagnostics channels (every provider
 * event unless `events` says), its error, retry and response listeners, and its cache's stored
 * keys and misses. For the tests that prove a secret appears in none of them.
 */
export function watchOutputs(
  provider: Observable,
  pkg: string,
  events: readonly string[] = PROVIDER_EVENTS,
): Outputs {
  const seen: unknown[] = [];
  const onChannel = (message: unknown) => seen.push(message);
  for (const name of events) diagnosticsChannel.subscribe(`x:${pkg}:${name}`, onChannel);
  provider.onError((e) => seen.push(e));
  provider.onRetry((e) => seen.push(e));
  provider.onResponse((e) => seen.push(e));
  const cacheKeys: unknown[] = [];
  provider.cache?.onSet((e) => cacheKeys.push(e.key));
  provider.cache?.onMiss((e) => cacheKeys.push(e));
  return {
    seen,
    cacheKeys,
    stop: () => {
      for (const name of events) diagnosticsChannel.unsubscribe(`x:${pkg}:${name}`, onChannel);
    },
  };
}
