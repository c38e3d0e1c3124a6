import type { RedisStoreClient } from '../redis-store-client';
import { RELEASE, RENEW } from './lock-scripts';
import type { RedisCommands } from './redis-commands';
import { ignored } from './reply-checks';

/** What holding a lock needs of its Redis store. */
export interface LockHolder {
  readonly commands: RedisCommands;
  readonly client: RedisStoreClient;
  readonly lockTtlMs: number;
  /** Reads the renewal script's 0 or 1. */
  readonly flag: (reply: unknown) => boolean;
  /** The release of each lock the store holds now: close() calls them. */
  readonly held: Set<() => Promise<void>>;
}

const LOCK_LOST =
  'the load lock expired before it was renewed: another process may load the key too';

/**
 * Holds a lock of the Redis store: renews it while the loader runs, and releases it once. Both
 * go through the outage gate, as every command does (only not through close(): giving a lock back is part of
 * closing): sent during an outage, every renewal of every load in progress would wait in the
 * client's queue. A renewal not sent is tried again a third of `lockTtlMs` later; a release not
 * sent leaves the lock, no longer renewed, to expire within `lockTtlMs`. A renewal that fails,
 * and a lock found lost, are told to `failed` (the cache counts them as it does a failed
 * command): another process may be loading the key too.
 */
export function holdLock(
  { commands, client, lockTtlMs, flag, held }: LockHolder,
  lockKey: string,
  token: string,
  failed: ((cause: unknown) => void) | undefined,
): () => Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let released = false;
  const renew = () => {
    timer = setTimeout(
      () => {
        commands
          .gated('lock', () => client.eval(RENEW, 1, lockKey, token, lockTtlMs), flag)
          .then(
            (renewed) => {
              if (released) return;
              if (renewed) renew();
              // The lock expired and is someone else's now (or no one's): nothing left to renew.
              else failed?.(new Error(LOCK_LOST));
            },
            // A failed renewal is not fatal: at worst the lock expires and a second process loads.
            (cause: unknown) => {
              if (released) return;
              failed?.(cause);
              renew();
            },
          );
      },
      Math.max(1, Math.floor(lockTtlMs / 3)),
    );
    timer.unref?.();
  };
  renew();
  const release = async () => {
    if (released) return;
    released = true;
    held.delete(release);
    clearTimeout(timer);
    await commands.gated('unlock', () => client.eval(RELEASE, 1, lockKey, token), ignored);
  };
  held.add(release);
  return release;
}
