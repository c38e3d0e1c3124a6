import { RateLimitStoreError, RateLimitStoreUnavailableError } from '../errors';
import { createMemoryStore } from '../memory-store';
import type { RedisStoreImpl } from '../redis-store';
import type { BoundRateLimitStore, ResolvedLimit } from '../store';
import { programErrorReply } from './redis-errors';
import { SINGLE_TAKE, TOKEN_BUCKET } from './redis-script';

type Mode = 'take' | 'peek' | 'adjust';

interface Pending {
  readonly costs: readonly number[];
  readonly resolve: (wait: number) => void;
  readonly reject: (error: unknown) => void;
}

/** One key's requests within a script call. */
interface Group {
  readonly key: string;
  readonly requests: readonly (readonly number[])[];
}

/** The most decisions sent in one script call (a bound on ARGV size and Lua stack use). */
const MAX_BATCH = 128;

/** A Redis store bound to one limiter's limits: batching, the script's arguments, the policy. */
export class BoundRedis implements BoundRateLimitStore {
  readonly remote = true;
  private readonly local: BoundRateLimitStore | undefined;
  private readonly localCaps: number[];
  /** per limit: name, rate in units/ms, capacity, as script arguments */
  private readonly spec: (string | number)[];
  /** rate and capacity of a one-limit limiter, the arguments of `SINGLE_TAKE` before the cost */
  private readonly single: readonly string[] | undefined;
  private readonly count: number;
  /** `take` calls of this tick, by key: they go to Redis together */
  private pending = new Map<string, Pending[]>();
  private flushQueued = false;

  constructor(
    private readonly store: RedisStoreImpl,
    limits: readonly ResolvedLimit[],
  ) {
    this.count = limits.length;
    this.spec = limits.flatMap((l) => [l.name, String(l.ratePerSecond / 1000), String(l.capacity)]);
    this.single =
      limits.length === 1 ? [this.spec[1] as string, this.spec[2] as string] : undefined;
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
  }

  /**
   * Decisions requested in the same tick share one script call: those for one key always, those
   * for different keys with `batchKeys` (still one round trip, in call order, as if they had
   * arrived one after the other).
   */
  take(key: string, costs: readonly number[]): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      let list = this.pending.get(key);
      if (list === undefined) {
        list = [];
        this.pending.set(key, list);
      }
      list.push({ costs, resolve, reject });
      if (!this.flushQueued) {
        this.flushQueued = true;
        queueMicrotask(() => this.flush());
      }
    });
  }

  async waitTime(key: string, costs: readonly number[]): Promise<number> {
    return this.outcome((await this.decide('peek', [{ key, requests: [costs] }]))[0]![0]!);
  }

  async adjust(key: string, deltas: readonly number[]): Promise<void> {
    this.outcome((await this.decide('adjust', [{ key, requests: [deltas] }]))[0]![0]!);
  }

  stats(): Record<string, unknown> {
    return { ...this.store.stats() };
  }

  close(): void {
    this.local?.close();
  }

  private flush(): void {
    this.flushQueued = false;
    const pending = this.pending;
    this.pending = new Map();
    let groups: Group[] = [];
    let waiters: Pending[][] = [];
    let size = 0;
    const send = () => {
      const sent = waiters;
      this.decide('take', groups).then(
        (results) => {
          for (let g = 0; g < sent.length; g++) {
            const list = sent[g]!;
            const waits = results[g]!;
            for (let i = 0; i < list.length; i++) {
              const wait = waits[i]!;
              if (wait >= 0) list[i]!.resolve(wait);
              else list[i]!.reject(this.wrongType());
            }
          }
        },
        (error: unknown) => {
          for (const list of sent) for (const p of list) p.reject(error);
        },
      );
      groups = [];
      waiters = [];
      size = 0;
    };
    for (const [key, list] of pending) {
      for (let start = 0; start < list.length; start += MAX_BATCH) {
        const part = list.length <= MAX_BATCH ? list : list.slice(start, start + MAX_BATCH);
        if (size > 0 && (!this.store.batchKeys || size + part.length > MAX_BATCH)) send();
        groups.push({ key, requests: part.map((p) => p.costs) });
        waiters.push(part);
        size += part.length;
      }
    }
    if (size > 0) send();
  }

  /** A script result: -1 means the key holds another Redis type (see the script). */
  private outcome(wait: number): number {
    if (wait < 0) throw this.wrongType();
    return wait;
  }

  private wrongType(): Error {
    return this.store.programError(
      new Error('WRONGTYPE Operation against a key holding the wrong kind of value'),
      'WRONGTYPE',
    );
  }

  private args(mode: Mode, groups: readonly Group[]): (string | number)[] {
    const args: (string | number)[] = [mode, this.count, ...this.spec];
    for (const { requests } of groups) {
      args.push(requests.length);
      for (const amounts of requests) for (let i = 0; i < this.count; i++) args.push(amounts[i]!);
    }
    return args;
  }

  private async decide(mode: Mode, groups: readonly Group[]): Promise<number[][]> {
    const store = this.store;
    let decisions = 0;
    for (const g of groups) decisions += g.requests.length;
    if (!store.skipRedis()) {
      const keys = groups.map((g) => store.prefix + g.key);
      const single = mode === 'take' && decisions === 1 ? this.single : undefined;
      let reply: unknown;
      try {
        reply = await store.run(
          single === undefined ? TOKEN_BUCKET : SINGLE_TAKE,
          keys,
          single === undefined ? this.args(mode, groups) : [...single, groups[0]!.requests[0]![0]!],
          (late) => {
            if (mode === 'take' && Array.isArray(late)) this.refund(groups, late);
          },
        );
      } catch (error) {
        const reply = programErrorReply(error);
        if (reply !== undefined) throw store.programError(error, reply);
        store.failed(error);
        store.fallback(decisions);
        return this.policyDecision(mode, groups);
      }
      store.succeeded(decisions);
      if (!Array.isArray(reply) || reply.length !== decisions) {
        // A client that is not ioredis-shaped, or a proxy answering for Redis: not an outage.
        throw new RateLimitStoreError(
          { reply: 'UNEXPECTED_REPLY' },
          { cause: new TypeError('Unexpected reply from the rate-limit script') },
        );
      }
      const results: number[][] = [];
      let r = 0;
      for (const g of groups) results.push(g.requests.map(() => Number(reply[r++])));
      return results;
    }
    store.fallback(decisions);
    return this.policyDecision(mode, groups);
  }

  /** Redis admitted after the policy had decided: give those tokens back, key by key. */
  private refund(groups: readonly Group[], late: readonly unknown[]): void {
    let r = 0;
    const refunds: Group[] = [];
    for (const g of groups) {
      const refund = new Array<number>(this.count).fill(0);
      let any = false;
      for (const amounts of g.requests) {
        if (Number(late[r++]) !== 0) continue;
        any = true;
        for (let i = 0; i < this.count; i++) refund[i]! -= amounts[i]!;
      }
      if (any) refunds.push({ key: g.key, requests: [refund] });
    }
    for (const g of refunds) {
      this.store
        .run(TOKEN_BUCKET, [this.store.prefix + g.key], this.args('adjust', [g]))
        .catch(() => {});
    }
  }

  private policyDecision(mode: Mode, groups: readonly Group[]): number[][] {
    switch (this.store.policy) {
      case 'fail-open':
        return groups.map((g) => g.requests.map(() => 0));
      case 'fail-closed':
        if (mode === 'adjust') return groups.map((g) => g.requests.map(() => 0));
        throw new RateLimitStoreUnavailableError({ policy: 'fail-closed' });
      case 'local': {
        const local = this.local!;
        return groups.map(({ key, requests }) =>
          requests.map((amounts) => {
            if (mode === 'adjust') {
              local.adjust(key, amounts);
              return 0;
            }
            // A cost above the local share is charged as a full local bucket, so it still passes.
            const clamped = amounts.map((a, i) => Math.min(a, this.localCaps[i]!));
            return (
              mode === 'peek' ? local.waitTime(key, clamped) : local.take(key, clamped)
            ) as number;
          }),
        );
      }
    }
  }
}
