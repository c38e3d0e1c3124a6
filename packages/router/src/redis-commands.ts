/** The Redis state's commands, each bounded by `commandTimeoutMs`, and what their replies prove. */
import { answersIntegersAsText, integerReply, unexpectedReplyText } from '@x/internal';
import type { RedisRouterClientLike } from './redis-types';

/** A command that got no reply within `commandTimeoutMs`. */
export class CommandTimeout extends Error {
  override name = 'CommandTimeout';
}

/**
 * A reply that is not the script's (a proxy or another server on Redis' port, a client that is not
 * ioredis-shaped): read anyhow, a probe claim answered nil or 2 was taken as lost, and the
 * deployment was never probed while it lasted. Its `code` is what events and `stats()` show; the
 * message names the reply's type only, never its content.
 */
export class UnexpectedReply extends Error {
  override name = 'UnexpectedReply';
  readonly code = 'UNEXPECTED_REPLY';
  constructor(reply: unknown, expected: string) {
    super(unexpectedReplyText('a Redis script', reply, expected));
  }
}

/** What a script's reply must be: a check, and what it expects (for the error's message). */
export interface ReplyShape {
  test(reply: unknown): boolean;
  expected: string;
}

/** The reply of a script that answers 1 (done) or 0 (not done): the integers, nothing else. */
export const FLAG: ReplyShape = { test: (reply) => reply === 0 || reply === 1, expected: '0 or 1' };

/** What the binding learns from its commands. */
interface CommandHooks {
  /** Redis replied, within `commandTimeoutMs` (`onTime`) or late: it runs commands again. */
  answered(onTime: boolean): void;
  /** A command failed, was refused or timed out (`CommandTimeout`). */
  failed(error: unknown): void;
  /** True once the binding closed: nothing more is sent. */
  closed(): boolean;
}

export class RedisCommands {
  readonly #client: RedisRouterClientLike;
  /** `stringNumbers: true`: a {@link FLAG} comes as '0' or '1'. */
  readonly #integersAsText: boolean;
  readonly #timeoutMs: number;
  readonly #hooks: CommandHooks;

  constructor(client: RedisRouterClientLike, timeoutMs: number, hooks: CommandHooks) {
    this.#client = client;
    this.#integersAsText = answersIntegersAsText(client);
    this.#timeoutMs = timeoutMs;
    this.#hooks = hooks;
  }

  /**
   * One script call. Resolves its reply, or `undefined` when Redis failed or did not answer within
   * `commandTimeoutMs` (the caller goes on without it). A reply that comes after the timeout is
   * dropped, and told as late: a slow Redis is not back until it answers in time (see
   * `SlowRedisGate`). A reply not of `shape` is a failed command ({@link UnexpectedReply}),
   * resolved as `undefined`, and ends no outage.
   */
  run(
    script: string,
    keys: readonly string[],
    args: (string | number)[],
    shape: ReplyShape,
  ): Promise<unknown> {
    if (this.#hooks.closed()) return Promise.resolve(undefined);
    let call: Promise<unknown>;
    try {
      call = Promise.resolve(this.#client.eval(script, keys.length, ...keys, ...args));
    } catch (error) {
      // A client that throws instead of rejecting must not fail the call that told a cooldown.
      this.#hooks.failed(error);
      return Promise.resolve(undefined);
    }
    return new Promise((resolve) => {
      let late = false;
      const timer = setTimeout(() => {
        late = true;
        this.#hooks.failed(new CommandTimeout());
        resolve(undefined);
      }, this.#timeoutMs);
      timer.unref?.();
      call.then(
        (answer) => {
          clearTimeout(timer);
          const reply = this.#integersAsText && shape === FLAG ? integerReply(answer) : answer;
          if (!shape.test(reply)) {
            // Redis' port answers, but not as Redis: no sign that Redis works (a late one ends
            // no outage), and a failure when on time.
            if (late) return;
            this.#hooks.failed(new UnexpectedReply(reply, shape.expected));
            resolve(undefined);
            return;
          }
          this.#hooks.answered(!late);
          if (!late) resolve(reply);
        },
        (error: unknown) => {
          if (late) return;
          clearTimeout(timer);
          this.#hooks.failed(error);
          resolve(undefined);
        },
      );
    });
  }

  /** True when `work` settled within `commandTimeoutMs` (the timer stays ref'd: close awaits it). */
  within(work: Promise<unknown> | undefined): Promise<boolean> {
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
}
