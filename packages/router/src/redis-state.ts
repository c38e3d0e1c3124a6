import { randomUUID } from 'node:crypto';
import {
  expectKnownKeys,
  fail,
  failRedisClient,
  isPlainObject,
  isUnusableRedisReply,
  optionalDuration,
  optionalString,
  redisErrorLabel,
} from '@x/internal';
import { type Message, parseMessage, REASONS } from './redis-message';
import { CLAIM_SCRIPT, COOLDOWN_SCRIPT, RECOVERED_SCRIPT, SYNC_SCRIPT } from './redis-scripts';
import type {
  RedisRouterClientLike,
  RedisRouterStateOptions,
  RedisRouterStateStats,
  RedisSubscriberLike,
} from './redis-types';
import type {
  BoundRouterState,
  CooldownReason,
  RouterState,
  StateLink,
  StateUnavailableEvent,
} from './state';

const OPTION_KEYS = ['client', 'subscriber', 'prefix', 'commandTimeoutMs'] as const;

class CommandTimeout extends Error {
  override name = 'CommandTimeout';
}

/** One router's binding: its subscription, its commands and its outage bookkeeping. */
class RedisBinding implements BoundRouterState {
  readonly #client: RedisRouterClientLike;
  readonly #subscriber: RedisSubscriberLike;
  readonly #ownSubscriber: boolean;
  readonly #prefix: string;
  readonly #channel: string;
  readonly #timeoutMs: number;
  readonly #link: StateLink;
  readonly #instance = randomUUID();
  readonly #counters = {
    outages: 0,
    published: 0,
    received: 0,
    failedCommands: 0,
    probes: { won: 0, lost: 0 },
    syncs: 0,
  };
  #lastPropagationMs: number | undefined;
  #downSince: number | undefined;
  /** What keeps the state unavailable, for `stats()`: see {@link #down}. */
  #outageError: string | undefined;
  #subscribed = false;
  /** The subscription's connection closed since it was last ready. */
  #lost = false;
  /** A sync is running: the `#up` its own reply triggers starts no second one. */
  #syncing = false;
  #closed = false;
  readonly #onMessage = (channel: string, text: string) => this.#received(channel, text);
  readonly #onClose = () => {
    this.#subscribed = false;
    this.#lost = true;
    if (!this.#closed) this.#down({ kind: 'redis', reason: 'disconnected', error: undefined });
  };
  /** Reconnected (the client subscribes again by itself): catch up on what was missed. */
  readonly #onReady = () => {
    if (!this.#lost) return;
    this.#lost = false;
    this.#subscribed = true;
    void this.#sync();
  };
  readonly #onError = (error: unknown) => {
    // Connection errors are followed through `close` and `ready`; the client reconnects. A
    // refusal (the password rotated away, `NOAUTH`) comes before the close that ends each
    // attempt, and only here: it says why Redis stays unavailable.
    if (isUnusableRedisReply(error)) this.#down(this.#errorEvent(error), true);
  };

  constructor(init: {
    client: RedisRouterClientLike;
    subscriber: RedisSubscriberLike;
    ownSubscriber: boolean;
    prefix: string;
    timeoutMs: number;
    link: StateLink;
  }) {
    this.#client = init.client;
    this.#subscriber = init.subscriber;
    this.#ownSubscriber = init.ownSubscriber;
    this.#prefix = init.prefix;
    this.#channel = `${init.prefix}events`;
    this.#timeoutMs = init.timeoutMs;
    this.#link = init.link;
    const sub = this.#subscriber;
    sub.on('message', this.#onMessage);
    sub.on('close', this.#onClose);
    sub.on('ready', this.#onReady);
    sub.on('error', this.#onError);
    sub.subscribe(this.#channel).then(
      () => {
        this.#subscribed = true;
        void this.#sync();
      },
      (error: unknown) => this.#down(this.#errorEvent(error), isUnusableRedisReply(error)),
    );
  }

  cooldown(deployment: string, durationMs: number, reason: CooldownReason): void {
    // Disconnected: written back by the sync that follows the reconnection.
    if (!this.#subscribed) return;
    const ms = Math.max(1, Math.round(durationMs));
    const message = this.#message('cooldown', deployment, ms, reason);
    void this.#run(COOLDOWN_SCRIPT, this.#keys(deployment), [
      ms,
      reason,
      this.#channel,
      message,
    ]).then((ok) => {
      if (ok !== undefined) this.#counters.published++;
    });
  }

  recovered(deployment: string): void {
    if (!this.#subscribed) return;
    const message = this.#message('recovered', deployment, 0, 'failures');
    void this.#run(RECOVERED_SCRIPT, this.#keys(deployment), [this.#channel, message]).then(
      (ok) => {
        if (ok !== undefined) this.#counters.published++;
      },
    );
  }

  async claimProbe(deployment: string, ttlMs: number): Promise<boolean> {
    // Disconnected: every instance probes on its own.
    if (!this.#subscribed) return true;
    const claim = this.#run(
      CLAIM_SCRIPT,
      [`${this.#prefix}probe:${deployment}`],
      [Math.max(1, Math.round(ttlMs)), this.#instance],
    );
    // Unavailable (timeouts, error replies): probe here without making the call wait up to
    // `commandTimeoutMs` again; the claim still goes out, and its reply says when Redis is back.
    if (this.#downSince !== undefined) return true;
    const reply = await claim;
    if (reply === undefined) return true;
    const won = Number(reply) === 1;
    if (won) this.#counters.probes.won++;
    else this.#counters.probes.lost++;
    return won;
  }

  stats(): RedisRouterStateStats & Record<string, unknown> {
    return {
      kind: 'redis',
      state: this.#downSince === undefined ? 'available' : 'unavailable',
      outageError: this.#outageError,
      ...this.#counters,
      probes: { ...this.#counters.probes },
      lastPropagationMs: this.#lastPropagationMs,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const sub = this.#subscriber;
    sub.removeListener('message', this.#onMessage);
    sub.removeListener('close', this.#onClose);
    sub.removeListener('ready', this.#onReady);
    try {
      const done = this.#ownSubscriber ? sub.quit() : sub.unsubscribe?.(this.#channel);
      // A server that hangs never answers QUIT: drop the connection we own after the timeout.
      if (!(await this.#within(done)) && this.#ownSubscriber) sub.disconnect?.();
    } catch {
      // Already disconnected: nothing to free.
    } finally {
      sub.removeListener('error', this.#onError);
    }
  }

  /** True when `work` settled within `commandTimeoutMs` (the timer stays ref'd: close awaits it). */
  #within(work: Promise<unknown> | undefined): Promise<boolean> {
    if (work === undefined) return Promise.resolve(true);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => resolve(false), this.#timeoutMs);
      work.then(
        () => {
          clearTimeout(timer);
          resolve(true);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  #keys(deployment: string): string[] {
    return [`${this.#prefix}cooldown:${deployment}`, `${this.#prefix}probe:${deployment}`];
  }

  #message(type: Message['type'], deployment: string, ms: number, reason: CooldownReason): string {
    const message: Message = { from: this.#instance, type, deployment, ms, reason, at: Date.now() };
    return JSON.stringify(message);
  }

  #received(channel: string, text: string): void {
    if (channel !== this.#channel || this.#closed) return;
    const m = parseMessage(text);
    if (m === undefined || m.from === this.#instance) return;
    this.#counters.received++;
    this.#lastPropagationMs = Math.max(0, Date.now() - m.at);
    if (m.type === 'cooldown') this.#link.cooldown(m.deployment, m.ms, m.reason);
    else this.#link.recovered(m.deployment);
  }

  /**
   * Reads every cooldown back (another instance's, started while this one was away), then writes
   * this instance's own running cooldowns that Redis lacks (it restarted, or they were decided
   * during the outage).
   */
  async #sync(): Promise<void> {
    const ids = this.#link.deployments;
    this.#syncing = true;
    let reply: unknown;
    try {
      reply = await this.#run(
        SYNC_SCRIPT,
        ids.map((id) => `${this.#prefix}cooldown:${id}`),
        [],
      );
    } finally {
      this.#syncing = false;
    }
    if (!Array.isArray(reply) || this.#closed) return;
    this.#counters.syncs++;
    const remote = new Map<string, number>();
    for (const [i, id] of ids.entries()) {
      const ms = Number(reply[2 * i]);
      if (ms > 0) {
        remote.set(id, ms);
        const reason = String(reply[2 * i + 1]);
        this.#link.cooldown(
          id,
          ms,
          (REASONS.includes(reason) ? reason : 'failures') as CooldownReason,
        );
      }
    }
    for (const active of this.#link.active()) {
      if ((remote.get(active.deployment) ?? 0) < active.remainingMs - 1) {
        this.cooldown(active.deployment, active.remainingMs, active.reason);
      }
    }
  }

  /**
   * One script call, bounded by `commandTimeoutMs`. Resolves its reply, or `undefined` when Redis
   * failed (then the state is unavailable until a command and the subscription work again).
   */
  #run(script: string, keys: readonly string[], args: (string | number)[]): Promise<unknown> {
    if (this.#closed) return Promise.resolve(undefined);
    let call: Promise<unknown>;
    try {
      call = Promise.resolve(this.#client.eval(script, keys.length, ...keys, ...args));
    } catch (error) {
      // A client that throws instead of rejecting must not fail the call that told a cooldown.
      this.#failed(error);
      return Promise.resolve(undefined);
    }
    return new Promise((resolve) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        this.#failed(new CommandTimeout());
        resolve(undefined);
      }, this.#timeoutMs);
      timer.unref?.();
      call.then(
        (reply) => {
          if (settled) return;
          clearTimeout(timer);
          if (this.#subscribed) this.#up();
          resolve(reply ?? null);
        },
        (error: unknown) => {
          if (settled) return;
          clearTimeout(timer);
          this.#failed(error);
          resolve(undefined);
        },
      );
    });
  }

  #failed(error: unknown): void {
    this.#counters.failedCommands++;
    if (error instanceof CommandTimeout) {
      this.#down({ kind: 'redis', reason: 'timeout', error: undefined });
    } else this.#down(this.#errorEvent(error), isUnusableRedisReply(error));
  }

  #errorEvent(error: unknown): StateUnavailableEvent {
    return { kind: 'redis', reason: 'error', error: redisErrorLabel(error) };
  }

  /**
   * Starts an outage, or, during one, keeps the code of a refusal (`unusable`: a wrong password,
   * `LOADING`) for `stats()`: it says why, where the timeouts and closed connections of the
   * client reconnecting into it do not.
   */
  #down(event: StateUnavailableEvent, unusable = false): void {
    if (this.#closed) return;
    if (this.#downSince !== undefined) {
      if (unusable) this.#outageError = event.error;
      return;
    }
    this.#downSince = performance.now();
    this.#outageError = event.error;
    this.#counters.outages++;
    this.#link.unavailable(event);
  }

  /** A command succeeded: only that ends an outage, never an error reply. */
  #up(): void {
    if (this.#downSince === undefined || this.#closed) return;
    const downMs = performance.now() - this.#downSince;
    this.#downSince = undefined;
    this.#outageError = undefined;
    this.#link.available({ kind: 'redis', downMs });
    // An outage the subscription lived through (a timeout, an error reply) has no reconnection
    // to catch up on: the cooldowns decided meanwhile were never written, so sync here.
    if (!this.#syncing) void this.#sync();
  }
}

/**
 * Shares cooldowns between router instances through Redis: pass it as `createRouter({ state })`.
 * Each instance still decides from its own view, in memory, with no I/O on the way of a call;
 * when one instance takes a deployment out (or sees it recover) it writes the cooldown with a PX
 * expiry and publishes it in the same script, so the others pass the deployment over one
 * delivery later. After a cooldown one instance probes (a `SET NX` claim). With Redis down,
 * every instance keeps its own view, emits `state-unavailable`, and writes its running cooldowns
 * back when Redis returns.
 *
 * @throws {TypeError} for a client without `eval()`, or without `duplicate()` and no `subscriber`.
 * @example
 * const redis = new Redis(process.env.REDIS_URL);
 * const router = createRouter({ deployments, state: createRedisRouterState({ client: redis }) });
 */
export function createRedisRouterState(options: RedisRouterStateOptions): RouterState {
  if (!isPlainObject(options)) failRedisClient('options', 'an object with a `client`', options);
  expectKnownKeys(undefined, options, OPTION_KEYS);
  const client = options.client as Partial<RedisRouterClientLike> | undefined;
  if (typeof client !== 'object' || client === null || typeof client.eval !== 'function') {
    failRedisClient('client', 'a Redis client with eval() (ioredis 5)', client);
  }
  const subscriber = options.subscriber;
  if (subscriber !== undefined && typeof subscriber?.subscribe !== 'function') {
    failRedisClient('subscriber', 'a Redis connection with subscribe() (ioredis 5)', subscriber);
  }
  if (subscriber === undefined && typeof client.duplicate !== 'function') {
    fail('subscriber', 'given when the client has no duplicate()', subscriber);
  }
  const prefix = optionalString('prefix', options.prefix) ?? 'x:router:';
  const timeoutMs =
    optionalDuration('commandTimeoutMs', options.commandTimeoutMs, { min: 1 }) ?? 1000;
  let bound = false;
  return {
    bind(link: StateLink): BoundRouterState {
      if (bound) fail('state', 'a Redis state no other router uses', '[bound]');
      bound = true;
      return new RedisBinding({
        client: client as RedisRouterClientLike,
        subscriber: subscriber ?? client.duplicate!(),
        ownSubscriber: subscriber === undefined,
        prefix,
        timeoutMs,
        link,
      });
    },
  };
}
