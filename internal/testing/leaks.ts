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

/**
 * What `text` may hide a secret in, decoded: its URL-decoded form, and every run of base64,
 * base64url or hex characters decoded at each alignment (a secret encoded inside a longer value,
 * `base64("Bearer " + key)`, does not start on a 3-byte boundary, so its own base64 is not a
 * substring of the whole's).
 */
function decodedViews(text: string): string[] {
  const views = [text];
  try {
    views.push(decodeURIComponent(text));
  } catch {
    views.push(
      text.replace(/%([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
    );
  }
  for (const run of text.match(/[A-Za-z0-9+/_-]{8,}/g) ?? []) {
    for (let offset = 0; offset < 4; offset++) {
      const chars = run.slice(offset);
      views.push(
        Buffer.from(chars.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('latin1'),
      );
    }
  }
  for (const run of text.match(/[0-9a-f]{16,}|[0-9A-F]{16,}/g) ?? []) {
    for (let offset = 0; offset < 2; offset++) {
      views.push(Buffer.from(run.slice(offset), 'hex').toString('latin1'));
    }
  }
  return views;
}

/**
 * `everything` was scrubbed (says `[redacted]`) and holds neither `secret` nor any 8-character
 * piece of it: raw, URL-encoded, or inside base64, base64url or hex at any alignment. `shows`
 * replaces `[redacted]` where nothing had to be scrubbed: text proving that the outputs checked
 * are the ones near the secret (`WRONGPASS`, the code of the refused password), so that the check
 * cannot pass on empty outputs.
 */
export function expectNoSecret(
  everything: string,
  secret: string,
  options: { shows?: string | undefined } = {},
): void {
  expect(everything).toContain(options.shows ?? '[redacted]');
  const views = decodedViews(everything);
  for (let i = 0; i + 8 <= secret.length; i++) {
    const piece = secret.slice(i, i + 8);
    const found = views.find((view) => view.includes(piece));
    expect(
      found,
      `a piece of the secret, ${JSON.stringify(piece)}, in a decoded view`,
    ).toBeUndefined();
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
