/** The Redis state's commands, each bounded by `commandTimeoutMs`, and what their replies prove. */
import type { RedisRouterClientLike } from './redis-types';

/** A command that got no reply within `commandTimeoutMs`. */
export class CommandTimeout extends Error {
  override name = 'CommandTimeout';
}

/** What the binding learns from its commands. */
interface CommandHooks {
  /** Redis replied (on time or late): it runs commands again. */
  answered(): void;
  /** A command failed, was refused or timed out (`CommandTimeout`). */
  failed(error: unknown): void;
  /** True once the binding closed: nothing more is sent. */
  closed(): boolean;
}

export class RedisCommands {
  readonly #client: RedisRouterClientLike;
  readonly #timeoutMs: number;
  readonly #hooks: CommandHooks;

  constructor(client: RedisRouterClientLike, timeoutMs: number, hooks: CommandHooks) {
    this.#client = client;
    this.#timeoutMs = timeoutMs;
    this.#hooks = hooks;
  }

  /**
   * One script call. Resolves its reply, or `undefined` when Redis failed or did not answer within
   * `commandTimeoutMs` (the caller goes on without it). A reply that comes after the timeout is
   * dropped, yet still tells that Redis answers again: the outage ends there rather than at the
   * next command, which may be a long way off.
   */
  run(script: string, keys: readonly string[], args: (string | number)[]): Promise<unknown> {
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
        (reply) => {
          clearTimeout(timer);
          this.#hooks.answered();
          if (!late) resolve(reply ?? null);
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
