import { integerReply } from '@x/internal';
import { RateLimitStoreError, RateLimitStoreUnavailableError } from '../errors';
import { createMemoryStore } from '../memory-store';
import { DecisionTimeout, type RedisStoreImpl } from '../redis-store';
import type { BoundRateLimitStore, ResolvedLimit } from '../store';
import { HeldCorrections, newCallId } from './held-corrections';
import { type Group, type Pending, type SendTakes, TakeCoalescer } from './redis-coalesce';
import { programErrorReply } from './redis-errors';
import { redisKeyOf } from './redis-keys';
import { ONE_LIMIT_TAKE, type RedisScript, TOKEN_BUCKET } from './redis-script';

type Mode = 'take' | 'peek' | 'adjust';
/** A mode soon after an outage: a key Redis lost starts from what it refilled since. */
type AfterMode = `${Mode}-after`;

/** The longest wait the scripts return (they cap waits there). */
const MAX_WAIT_MS = 2 ** 52;

/**
 * A Redis store bound to one limiter's limits: the scripts' arguments and replies, the outage
 * policy, and the coalescing of `take` decisions (`redis-coalesce.ts`).
 */
export class BoundRedis implements BoundRateLimitStore {
  readonly remote = true;
  private readonly local: BoundRateLimitStore | undefined;
  private readonly localCaps: number[];
  /** a caller's key -> its Redis key (see `redis-keys.ts`) */
  private readonly redisKey: (key: string) => string;
  /** per limit: rate in units/ms, capacity, as script arguments */
  private readonly spec: string[];
  /** rate and capacity of a one-limit limiter, the arguments of `ONE_LIMIT_TAKE` before the costs */
  private readonly single: readonly string[] | undefined;
  private readonly count: number;
  /** the slowest full refill (capacity / rate, ms): how long after an outage a lost key matters */
  private readonly refillMs: number;
  private readonly takes: TakeCoalescer;
  /** Corrections Redis did not confirm during an outage, sent once it answers again. */
  private readonly held: HeldCorrections;

  constructor(
    private readonly store: RedisStoreImpl,
    limits: readonly ResolvedLimit[],
  ) {
    this.count = limits.length;
    this.held = new HeldCorrections(limits.length);
    this.redisKey = redisKeyOf(
      store.prefix,
      store.keyKind,
      limits.map((l) => l.name),
    );
    this.spec = limits.flatMap((l) => [String(l.ratePerSecond / 1000), String(l.capacity)]);
    this.single = limits.length === 1 ? this.spec : undefined;
    this.refillMs = Math.max(...limits.map((l) => (l.capacity / l.ratePerSecond) * 1000));
    this.localCaps = limits.map((l) => l.capacity * store.localShare);
    this.local =
      store.policy === 'local'
        ? createMemoryStore().bind(
            limits.map((l) => ({
              name: l.name,
              ratePerSecond: l.ratePerSecond * store.localShare,
              capacity: l.capacity * store.localShare,
            })),
          )
        : undefined;
    const send: SendTakes = (groups, settled) => this.decide('take', groups, settled);
    this.takes = new TakeCoalescer(send, store.batchKeys);
  }

  /**
   * Decisions for one key share a script call: those of the same tick, and those asked while a
   * call for the key is in flight (they wait for it). With `batchKeys`, keys share calls too.
   * Either way the script decides them in order, as if they had arrived one after the other.
   */
  take(key: string, costs: readonly number[]): Promise<number> {
    return this.takes.take(key, costs);
  }

  waitTime(key: string, costs: readonly number[]): Promise<number> {
    return this.one('peek', key, costs);
  }

  async adjust(key: string, deltas: readonly number[]): Promise<void> {
    await this.one('adjust', key, deltas);
  }

  stats(): Record<string, unknown> {
    return { ...this.store.stats() };
  }

  /** Sends the decisions still waiting behind a call in flight, so none is left behind. */
  close(): void {
    this.takes.flushNow();
    this.local?.close();
  }

  /** One `peek` or `adjust`, alone in its script call. */
  private one(mode: Mode, key: string, amounts: readonly number[]): Promise<number> {
    return new Promise((resolve, reject) => {
      this.decide(mode, [{ key, requests: [{ costs: amounts, resolve, reject }] }]);
    });
  }

  private wrongType(): Error {
    return this.store.programError(
      new Error('WRONGTYPE Operation against a key holding the wrong kind of value'),
      'WRONGTYPE',
    );
  }

  /**
   * An `adjust`'s arguments after its key, with its `id`: soon after an outage, as `adjust-after`
   * with the ms since the outage began last, so that a key Redis lost starts from what it refilled
   * since, as a take's would (a held correction is sent as soon as Redis answers again).
   */
  private adjustArgs(group: Group, id: string): (string | number)[] {
    const after = this.store.sinceOutage(this.refillMs);
    const args = this.args(after === undefined ? 'adjust' : 'adjust-after', [group]);
    args.push(id);
    if (after !== undefined) args.push(after);
    return args;
  }

  private args(mode: Mode | AfterMode, groups: readonly Group[]): (string | number)[] {
    const args: (string | number)[] = [mode, this.count, ...this.spec];
    for (const { requests } of groups) {
      args.push(requests.length);
      for (const { costs } of requests) for (let i = 0; i < this.count; i++) args.push(costs[i]!);
    }
    return args;
  }

  /**
   * One script call for `groups` (or the outage policy): answers every request (resolve or
   * reject, once), then calls `settled`. Never throws. An `adjust` goes with an id, so that
   * Redis applies it once however often the client sends it (see `redis-script.ts`).
   */
  private decide(mode: Mode, groups: readonly Group[], settled?: () => void): void {
    const store = this.store;
    let decisions = 0;
    for (const g of groups) decisions += g.requests.length;
    if (store.skipRedis()) {
      this.fallback(mode, groups, decisions, settled, true);
      return;
    }
    let script: RedisScript;
    let argv: (string | number)[];
    // soon after an outage: a key Redis lost starts from what it refilled since (redis-script.ts)
    const after = store.sinceOutage(this.refillMs);
    if (
      mode === 'take' &&
      this.single !== undefined &&
      groups.length === 1 &&
      after === undefined
    ) {
      // the usual decision: one key of a one-limit limiter (see ONE_LIMIT_TAKE)
      script = ONE_LIMIT_TAKE;
      argv = [this.redisKey(groups[0]!.key), this.single[0]!, this.single[1]!];
      for (const { costs } of groups[0]!.requests) argv.push(costs[0]!);
    } else {
      script = TOKEN_BUCKET;
      argv = groups.map((g) => this.redisKey(g.key));
      for (const arg of this.args(after === undefined ? mode : `${mode}-after`, groups)) {
        argv.push(arg);
      }
    }
    const id = mode === 'adjust' ? newCallId() : undefined;
    if (id !== undefined) argv.push(id);
    // last, after an adjust's id (the script reads it from the end)
    if (after !== undefined) argv.push(after);
    store.run(
      script,
      groups.length,
      argv,
      (error, reply) => {
        if (error !== undefined) {
          const program = programErrorReply(error);
          if (program !== undefined) {
            rejectAll(groups, store.programError(error, program));
            settled?.();
          } else {
            store.failed(error);
            // A call that timed out may still be carried out: only a failed one is held, with
            // its id, since it may have been carried out before the failure.
            const timedOut = error instanceof DecisionTimeout;
            this.fallback(mode, groups, decisions, settled, !timedOut, id);
          }
          return;
        }
        store.succeeded(decisions);
        this.answer(groups, decisions, reply, script === ONE_LIMIT_TAKE);
        settled?.();
        if (this.held.size > 0) this.sendHeld();
      },
      mode === 'take'
        ? (late) => this.refund(groups, decisions, late, script === ONE_LIMIT_TAKE)
        : undefined,
    );
  }

  /**
   * Answers every request from the script's reply: one integer per request (-1: the key holds
   * another Redis type), or one integer that every request got (`ONE_LIMIT_TAKE`).
   */
  private answer(
    groups: readonly Group[],
    decisions: number,
    reply: unknown,
    oneLimit: boolean,
  ): void {
    // Integers as text come from a client made with `stringNumbers: true` (from any other, text
    // is what a proxy answered): read only then, and only when the reply is not numbers already.
    if (this.store.integersAsText && !isScriptReply(reply, decisions, oneLimit)) {
      reply = integerReply(reply);
    }
    if (!isScriptReply(reply, decisions, oneLimit)) {
      // A client that is not ioredis-shaped, or a proxy answering for Redis: not an outage, and
      // no decision either (read as numbers, nil or '' would admit).
      rejectAll(
        groups,
        new RateLimitStoreError(
          { reply: 'UNEXPECTED_REPLY' },
          { cause: new TypeError('Unexpected reply from the rate-limit script') },
        ),
      );
      return;
    }
    if (typeof reply === 'number') {
      for (const g of groups) for (const p of g.requests) this.settle(p, reply);
      return;
    }
    const waits = reply as readonly number[];
    let r = 0;
    for (const g of groups) for (const p of g.requests) this.settle(p, waits[r++]!);
  }

  private settle(p: Pending, wait: number): void {
    if (wait >= 0) p.resolve(wait);
    else p.reject(this.wrongType());
  }

  /** `hold`: an `adjust` is held for later; `id`: the one it was sent with, if it was. */
  private fallback(
    mode: Mode,
    groups: readonly Group[],
    decisions: number,
    settled: (() => void) | undefined,
    hold: boolean,
    id?: string,
  ): void {
    this.store.fallback(decisions);
    if (mode === 'adjust' && hold) {
      for (const { key, requests } of groups)
        for (const p of requests) this.held.add(key, p.costs, id);
    }
    try {
      this.policyDecision(mode, groups);
    } catch (error) {
      rejectAll(groups, error);
    }
    settled?.();
  }

  /**
   * Sends the corrections held during the outage, one script call each; held again (with the
   * same id) if it fails.
   */
  private sendHeld(): void {
    for (const [key, { deltas, id: sentWith }] of this.held.drain()) {
      const id = sentWith ?? newCallId();
      const group: Group = { key, requests: [{ costs: deltas, resolve: noop, reject: noop }] };
      this.store.run(
        TOKEN_BUCKET,
        1,
        [this.redisKey(key), ...this.adjustArgs(group, id)],
        (error) => {
          const lost =
            error !== undefined &&
            !(error instanceof DecisionTimeout) &&
            programErrorReply(error) === undefined;
          if (lost) this.held.add(key, deltas, id);
        },
      );
    }
  }

  /** Redis admitted after the policy had decided: give those tokens back, key by key. */
  private refund(
    groups: readonly Group[],
    decisions: number,
    late: unknown,
    oneLimit: boolean,
  ): void {
    // only what the script says it admitted: a reply that is not its own debited nothing we know
    // (integers as text from a `stringNumbers` client read as in `answer()`)
    if (this.store.integersAsText && !isScriptReply(late, decisions, oneLimit)) {
      late = integerReply(late);
    }
    if (!isScriptReply(late, decisions, oneLimit)) return;
    const admitted = (r: number) =>
      typeof late === 'number' ? late === 0 : (late as readonly number[])[r] === 0;
    let r = 0;
    for (const g of groups) {
      const refund = new Array<number>(this.count).fill(0);
      let any = false;
      for (const { costs } of g.requests) {
        if (!admitted(r++)) continue;
        any = true;
        for (let i = 0; i < this.count; i++) refund[i]! -= costs[i]!;
      }
      if (!any) continue;
      const group: Group = {
        key: g.key,
        requests: [{ costs: refund, resolve: noop, reject: noop }],
      };
      this.store.run(
        TOKEN_BUCKET,
        1,
        [this.redisKey(g.key), ...this.adjustArgs(group, newCallId())],
        noop,
      );
    }
  }

  /** The outage policy's answers (`fail-closed` throws for a take or a peek). */
  private policyDecision(mode: Mode, groups: readonly Group[]): void {
    const policy = this.store.policy;
    if (policy === 'fail-closed' && mode !== 'adjust') {
      throw new RateLimitStoreUnavailableError({ policy: 'fail-closed' });
    }
    for (const { key, requests } of groups) {
      for (const p of requests) {
        if (policy !== 'local' || mode === 'adjust') {
          if (policy === 'local') this.local!.adjust(key, p.costs);
          p.resolve(0);
          continue;
        }
        // A cost above the local share is charged as a full local bucket, so it still passes.
        const clamped = p.costs.map((a, i) => Math.min(a, this.localCaps[i]!));
        const local = this.local!;
        p.resolve(
          (mode === 'peek' ? local.waitTime(key, clamped) : local.take(key, clamped)) as number,
        );
      }
    }
  }
}

function noop(): void {}

/**
 * True when `reply` is what the script answers for `decisions` requests: `ONE_LIMIT_TAKE` (the
 * `oneLimit` one) one integer that every request got, or one per request, each 0 (admitted) or a
 * wait of 1 to 2^52 ms; `TOKEN_BUCKET` one per request, -1 also (the key holds another type).
 */
function isScriptReply(reply: unknown, decisions: number, oneLimit: boolean): boolean {
  if (typeof reply === 'number') return oneLimit && isWait(reply, 0);
  if (!Array.isArray(reply) || reply.length !== decisions) return false;
  const lowest = oneLimit ? 0 : -1;
  for (let i = 0; i < decisions; i++) if (!isWait(reply[i], lowest)) return false;
  return true;
}

function isWait(value: unknown, lowest: number): boolean {
  return Number.isInteger(value) && (value as number) >= lowest && (value as number) <= MAX_WAIT_MS;
}

function rejectAll(groups: readonly Group[], error: unknown): void {
  for (const g of groups) for (const p of g.requests) p.reject(error);
}
