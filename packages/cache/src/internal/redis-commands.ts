import {
  driverErrorForCause,
  failRedisClient,
  isUnusableRedisReply,
  redisClientSecrets,
} from '@x/internal';
import { CacheStoreError, type CacheStoreOperation } from '../errors';
import type { RedisStoreClient } from '../redis-store';

const COMMANDS = ['getBuffer', 'set', 'del', 'eval', 'scan'] as const;

/** `client`, once it has every command the store sends (a TypeError naming `client` if not). */
export function checkClient(client: unknown): RedisStoreClient {
  for (const command of COMMANDS) {
    if (typeof (client as Record<string, unknown> | null | undefined)?.[command] !== 'function') {
      failRedisClient(
        'client',
        `a Redis client with a \`${command}\` method (ioredis 5 or 6)`,
        client,
      );
    }
  }
  return client as RedisStoreClient;
}

/**
 * Reads a command's reply: returns what the store uses, or throws when the reply has a shape
 * Redis never gives for that command (see `redis-replies.ts`).
 */
export type ReplyReader<R> = (reply: unknown) => R;

/** The cause of a command not sent during an outage. */
const NOT_SENT = new Error(
  'not sent: Redis is unavailable (one probe command at a time, at most one per probeIntervalMs)',
);

/**
 * Runs the Redis store's commands, each within `commandTimeoutMs`, and decides which are sent.
 *
 * A command that is sent while Redis does not answer waits in the client's queue (ioredis queues
 * while it reconnects, and a frozen server leaves every command written to its socket pending),
 * and a cache under load sends thousands a second: the queue would grow with the outage. So
 * after a failure that says Redis is unreachable (a timeout, a lost connection, a refusal every
 * command gets) nothing is sent for `probeIntervalMs`; then ONE command, the probe, is sent while
 * the others still fail at once; its answer ends the outage, its failure starts the interval
 * again. `probeIntervalMs` 0 sends every command.
 *
 * A client that is not connected yet is not an outage: at start, ioredis holds the first
 * commands in its offline queue for the few milliseconds the connection takes, and a cache that
 * skipped its store then would call the loader (a model) for every request of the first burst. A
 * server that never answers is found by the first command's timeout, as any outage.
 */
export class RedisCommands {
  readonly #timeoutMs: number;
  readonly #probeIntervalMs: number;
  #down = false;
  /** `performance.now()` from which the next probe may be sent, during an outage. */
  #nextProbeAt = 0;
  /** A probe is in flight (it settles within the command timeout). */
  #probing = false;

  /** The client whose credentials are kept out of errors (see {@link storeError}). */
  readonly #client: unknown;

  constructor(commandTimeoutMs: number, probeIntervalMs: number, client?: unknown) {
    this.#timeoutMs = commandTimeoutMs;
    this.#probeIntervalMs = probeIntervalMs;
    this.#client = client;
  }

  /**
   * A failed command's error. ioredis quotes the command's arguments (after a refused AUTH, the
   * password), and a server or a proxy in front of it may quote the client's own password in its
   * reply's text: the cause, and so the message and the log entry made from it, holds neither.
   * The credentials are read from the client now: a rotated password is the one it sends.
   */
  storeError(operation: CacheStoreOperation, cause: unknown): CacheStoreError {
    const secrets = redisClientSecrets(this.#client);
    return new CacheStoreError(operation, { cause: driverErrorForCause(cause, secrets) });
  }

  /** {@link send}, unless an outage holds it back. */
  gated<R>(
    operation: CacheStoreOperation,
    run: () => Promise<unknown>,
    read: ReplyReader<R>,
  ): Promise<R> {
    if (this.#probeIntervalMs === 0 || !this.#down) return this.send(operation, run, read);
    if (this.#probing || performance.now() < this.#nextProbeAt) {
      return Promise.reject(new CacheStoreError(operation, { cause: NOT_SENT }));
    }
    this.#probing = true;
    return this.send(operation, run, read, true);
  }

  /** Runs one command within the timeout; rejects with CacheStoreError. */
  send<R>(
    operation: CacheStoreOperation,
    run: () => Promise<unknown>,
    read: ReplyReader<R>,
    probe = false,
  ): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      // Only the first outcome settles the probe: once it timed out, another may be in flight.
      let probing = probe;
      const settle = (up: boolean) => {
        if (probing) this.#probing = false;
        probing = false;
        if (up) this.#down = false;
        else {
          this.#down = true;
          this.#nextProbeAt = performance.now() + this.#probeIntervalMs;
        }
      };
      const timer = setTimeout(() => {
        settle(false);
        reject(new CacheStoreError(operation, { timedOut: true }));
      }, this.#timeoutMs);
      timer.unref?.();
      let pending: Promise<unknown>;
      try {
        pending = Promise.resolve(run());
      } catch (cause) {
        pending = Promise.reject(cause);
      }
      pending.then(
        (reply) => {
          clearTimeout(timer);
          // Any answer, even a late one or one of the wrong shape, says Redis is reachable.
          settle(true);
          let value: R;
          try {
            value = read(reply);
          } catch (cause) {
            reject(this.storeError(operation, cause));
            return;
          }
          resolve(value);
        },
        (cause: unknown) => {
          clearTimeout(timer);
          // An error Redis answered (WRONGTYPE, OOM...) says the connection works, unless every
          // command gets it (a wrong password, LOADING); any other (a closed connection, ioredis
          // giving up on its retries) says it does not.
          const answered = (cause as { name?: unknown } | null)?.name === 'ReplyError';
          settle(answered && !isUnusableRedisReply(cause));
          reject(this.storeError(operation, cause));
        },
      );
    });
  }
}
