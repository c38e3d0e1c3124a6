import { randomUUID } from 'node:crypto';
import { isUnusableRedisReply, redisErrorLabel } from '@x/internal';
import { CommandTimeout, FLAG, RedisCommands, type ReplyShape } from './redis-commands';
import { channelName, type Message, parseMessage, REASONS, remainingOf } from './redis-message';
import { followClient, quitOnceConnected } from './redis-own-subscriber';
import {
  CLAIM_SCRIPT,
  COOLDOWN_SCRIPT,
  MAX_CLOCK_AHEAD_MS,
  PROBE_SCRIPT,
  RECOVERED_SCRIPT,
  SYNC_SCRIPT,
} from './redis-scripts';
import { SlowRedisGate } from './redis-slow-gate';
import type {
  RedisRouterClientLike,
  RedisRouterStateStats,
  RedisSubscriberLike,
} from './redis-types';
import type { BoundRouterState, CooldownReason, StateLink, StateUnavailableEvent } from './state';

/** One router's binding: its subscription, its commands and its outage bookkeeping. */
export class RedisBinding implements BoundRouterState {
  readonly #subscriber: RedisSubscriberLike;
  readonly #ownSubscriber: boolean;
  readonly #prefix: string;
  readonly #channel: string;
  readonly #commands: RedisCommands;
  /** Keeps an outage of timeouts until Redis answers in time again (no flapping). */
  readonly #slow: SlowRedisGate;
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
  /**
   * Per deployment, the latest decision (epoch ms, the decider's clock) to take it out that this
   * instance knows of: a recovery decided before it is stale news.
   */
  readonly #decidedAt = new Map<string, number>();
  #downSince: number | undefined;
  /** What keeps the state unavailable, for `stats()`: see {@link #down}. */
  #outageError: string | undefined;
  /**
   * How the outage began: news on the channel ends one of a lost connection only. One of
   * timeouts waits for answers in time (`SlowRedisGate`); one of error replies, for a command that
   * succeeds.
   */
  #outageReason: StateUnavailableEvent['reason'] | undefined;
  /** Redis confirmed the subscription (its SUBSCRIBE resolved) since the connection last closed. */
  #subscribed = false;
  /** A SUBSCRIBE is in flight. */
  #subscribing = false;
  /** The connection became ready while a SUBSCRIBE was in flight: send one again if it fails. */
  #readyMeanwhile = false;
  /** A sync is running: the `#up` its own reply triggers starts no second one. */
  #syncing = false;
  #closed = false;
  /** Lets go of the client a subscriber of our own follows (see {@link followClient}). */
  readonly #unfollow: (() => void) | undefined;
  readonly #onMessage = (channel: string, text: string) => this.#received(channel, text);
  readonly #onClose = () => {
    this.#subscribed = false;
    if (!this.#closed) this.#down({ kind: 'redis', reason: 'disconnected', error: undefined });
  };
  /**
   * (Re)connected: subscribe, whatever ioredis does by itself. It subscribes again after a
   * reconnection only to channels whose SUBSCRIBE succeeded, so a state started while Redis was
   * down would never hear the others; and only our own SUBSCRIBE's reply says the subscription is
   * in place. Subscribing twice to a channel is harmless.
   */
  readonly #onReady = () => this.#subscribe();
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
    this.#subscriber = init.subscriber;
    this.#ownSubscriber = init.ownSubscriber;
    this.#prefix = init.prefix;
    this.#channel = channelName(init.client, init.prefix);
    this.#link = init.link;
    this.#commands = new RedisCommands(init.client, init.timeoutMs, {
      answered: (onTime) => {
        if (this.#slow.answered(onTime) && this.#subscribed) this.#up();
      },
      failed: (error) => this.#failed(error),
      closed: () => this.#closed,
    });
    this.#slow = new SlowRedisGate(init.timeoutMs, () =>
      this.#commands.run(PROBE_SCRIPT, [], [], FLAG),
    );
    const sub = this.#subscriber;
    sub.on('message', this.#onMessage);
    sub.on('close', this.#onClose);
    sub.on('ready', this.#onReady);
    sub.on('error', this.#onError);
    this.#unfollow = this.#ownSubscriber ? followClient(init.client, sub) : undefined;
    this.#subscribe();
  }

  cooldown(deployment: string, durationMs: number, reason: CooldownReason): void {
    const at = Date.now();
    this.#decided(deployment, at);
    // Not subscribed: written back by the sync that follows the subscription.
    if (!this.#subscribed) return;
    const ms = Math.max(1, Math.round(durationMs));
    const message = this.#message('cooldown', deployment, ms, reason, at);
    const args = [ms, reason, this.#channel, message, at + ms, at];
    void this.#commands.run(COOLDOWN_SCRIPT, this.#keys(deployment), args, FLAG).then((ok) => {
      // 0: Redis ran it after the cooldown's end, and dropped it.
      if (ok === 1) this.#counters.published++;
    });
  }

  recovered(deployment: string): void {
    if (!this.#subscribed) return;
    const at = Date.now();
    const message = this.#message('recovered', deployment, 0, 'failures', at);
    void this.#commands
      .run(
        RECOVERED_SCRIPT,
        this.#keys(deployment),
        [this.#channel, message, at, MAX_CLOCK_AHEAD_MS],
        FLAG,
      )
      .then((ok) => {
        // 0: Redis ran it after a cooldown decided later, and left that one.
        if (ok === 1) this.#counters.published++;
      });
  }

  async claimProbe(deployment: string, ttlMs: number): Promise<boolean> {
    // Not subscribed: every instance probes on its own.
    if (!this.#subscribed) return true;
    const claim = this.#commands.run(
      CLAIM_SCRIPT,
      [`${this.#prefix}probe:${deployment}`],
      [Math.max(1, Math.round(ttlMs)), this.#instance],
      FLAG,
    );
    // Unavailable (timeouts, error replies): probe here without making the call wait up to
    // `commandTimeoutMs` again; the claim still goes out, and its reply says when Redis is back.
    if (this.#downSince !== undefined) return true;
    const reply = await claim;
    // Failed, timed out, or answered neither 0 nor 1 (an outage too, `UNEXPECTED_REPLY`).
    if (reply === undefined) return true;
    const won = reply === 1;
    if (won) this.#counters.probes.won++;
    else this.#counters.probes.lost++;
    return won;
  }

  stats(): RedisRouterStateStats & Record<string, unknown> {
    return {
      kind: 'redis',
      // Without the subscription this instance hears no other: it decides from its own view.
      state: this.#downSince === undefined && this.#subscribed ? 'available' : 'unavailable',
      outageError: this.#outageError,
      ...this.#counters,
      probes: { ...this.#counters.probes },
      lastPropagationMs: this.#lastPropagationMs,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#slow.close();
    const sub = this.#subscriber;
    sub.removeListener('message', this.#onMessage);
    sub.removeListener('close', this.#onClose);
    sub.removeListener('ready', this.#onReady);
    this.#unfollow?.();
    try {
      const done = this.#ownSubscriber ? quitOnceConnected(sub) : sub.unsubscribe?.(this.#channel);
      // A server that hangs never answers QUIT: drop the connection we own after the timeout.
      if (!(await this.#commands.within(done)) && this.#ownSubscriber) sub.disconnect?.();
    } catch {
      // Already disconnected: nothing to free.
    } finally {
      sub.removeListener('error', this.#onError);
    }
  }

  /**
   * Sends SUBSCRIBE, unless one is in flight. Once Redis confirms it, the state is subscribed and
   * catches up on what it missed; a refusal is an outage, and the next `ready` (or one that came
   * while it was in flight) subscribes again.
   */
  #subscribe(): void {
    if (this.#closed) return;
    if (this.#subscribing) {
      this.#readyMeanwhile = true;
      return;
    }
    this.#subscribing = true;
    this.#readyMeanwhile = false;
    let done: Promise<unknown>;
    try {
      done = Promise.resolve(this.#subscriber.subscribe(this.#channel));
    } catch (error) {
      done = Promise.reject(error);
    }
    done.then(
      () => {
        this.#subscribing = false;
        if (this.#closed) return;
        this.#subscribed = true;
        void this.#sync();
      },
      (error: unknown) => {
        this.#subscribing = false;
        if (this.#closed) return;
        this.#down(this.#errorEvent(error), isUnusableRedisReply(error));
        if (this.#readyMeanwhile) this.#subscribe();
      },
    );
  }

  #keys(deployment: string): string[] {
    return [`${this.#prefix}cooldown:${deployment}`, `${this.#prefix}probe:${deployment}`];
  }

  /**
   * Notes when a cooldown of `deployment` was decided, the latest kept: recoveries decided before
   * it are ignored. A date more than {@link MAX_CLOCK_AHEAD_MS} past this host's clock (a sender's
   * clock far off, a value another program wrote) counts as now: kept as it is, it would have every
   * recovery ignored until this instance restarts.
   */
  #decided(deployment: string, at: number): void {
    const now = Date.now();
    const when = at > now + MAX_CLOCK_AHEAD_MS ? now : at;
    if (when > (this.#decidedAt.get(deployment) ?? -Infinity))
      this.#decidedAt.set(deployment, when);
  }

  #message(
    type: Message['type'],
    deployment: string,
    ms: number,
    reason: CooldownReason,
    at: number,
  ): string {
    const message: Message = { from: this.#instance, type, deployment, ms, reason, at };
    return JSON.stringify(message);
  }

  #received(channel: string, text: string): void {
    if (channel !== this.#channel || this.#closed) return;
    // Whatever it says, and whoever sent it, it came through Redis: Redis works again.
    // Not a Redis too slow for commands: news is no answer in time.
    if (this.#subscribed && this.#outageReason !== 'error' && !this.#slow.gated) this.#up();
    const m = parseMessage(text);
    if (m === undefined || m.from === this.#instance) return;
    this.#counters.received++;
    const now = Date.now();
    this.#lastPropagationMs = Math.max(0, now - m.at);
    if (m.type === 'recovered') {
      // Decided before the cooldown this instance knows of (delayed by a stalled Redis, or resent
      // after a reconnection): the deployment failed again since, and stays out.
      if (m.at < (this.#decidedAt.get(m.deployment) ?? -Infinity)) return;
      this.#link.recovered(m.deployment);
      return;
    }
    // Applied from when it was decided, not from now: a message delayed by a stalled Redis
    // would otherwise take the deployment out anew, for its whole length.
    const left = remainingOf(m, now);
    if (left > 0) {
      this.#decided(m.deployment, m.at);
      this.#link.cooldown(m.deployment, left, m.reason);
    }
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
      reply = await this.#commands.run(
        SYNC_SCRIPT,
        ids.map((id) => `${this.#prefix}cooldown:${id}`),
        [],
        syncShape(ids.length),
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
        // `<reason>:<at>`; a bare reason from an older version, or another program's value.
        const [reason = '', at] = String(reply[2 * i + 1]).split(':');
        if (at !== undefined && /^\d+$/.test(at)) this.#decided(id, Number(at));
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

  #failed(error: unknown): void {
    this.#counters.failedCommands++;
    if (error instanceof CommandTimeout) {
      this.#slow.timedOut();
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
      if (unusable) {
        this.#outageError = event.error;
        this.#outageReason = 'error';
      }
      return;
    }
    this.#downSince = performance.now();
    this.#outageError = event.error;
    this.#outageReason = event.reason;
    this.#counters.outages++;
    this.#link.unavailable(event);
  }

  /**
   * Redis answered a command or delivered news (after timeouts, only once enough commands were
   * answered in time: see `SlowRedisGate`): that ends an outage, never an error reply. News proves
   * the subscription's connection only, so it ends no outage of error replies: the commands'
   * connection may still be refused (a password rotated away).
   */
  #up(): void {
    if (this.#downSince === undefined || this.#closed) return;
    const downMs = performance.now() - this.#downSince;
    this.#downSince = undefined;
    this.#outageError = undefined;
    this.#outageReason = undefined;
    this.#link.available({ kind: 'redis', downMs });
    // An outage the subscription lived through (a timeout, an error reply) has no reconnection
    // to catch up on: the cooldowns decided meanwhile were never written, so sync here.
    if (!this.#syncing) void this.#sync();
  }
}

/** A sync's reply: per cooldown key, its remaining ms and its value. */
function syncShape(keys: number): ReplyShape {
  return {
    test: (reply) => Array.isArray(reply) && reply.length === 2 * keys,
    expected: `an array of ${2 * keys}`,
  };
}
