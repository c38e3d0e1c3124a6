/** The Redis store's load-lock scripts (`redis-store.ts`): KEYS[1] the lock, ARGV[1] the token. */

/** Deletes the lock only if it is still ours (it may have expired and been taken). */
export const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * Takes the lock (`SET NX PX`, ARGV[2] the TTL): 1 when taken. A lock that already holds our token
 * is ours too: the same command run again, because the client sends a command again after a
 * reconnection when its reply was lost (ioredis' `autoResendUnfulfilledCommands`, on by default).
 * Answered 0, the process waited for its own lock, and every other one with it, until the lock
 * expired. A value at the lock key without an expiry is none of ours (every lock is set with one;
 * another program's key, or one `PERSIST` kept): left alone, every process missing the entry would
 * wait `lockWaitMs` for it on every load, for ever. It gets the lock's TTL instead, and falls away
 * within `lockTtlMs`. (`pcall`: a key of another type holds no token; its take is refused, as
 * before, not failed.)
 */
export const TAKE = `if redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return 1 end
if redis.pcall('get', KEYS[1]) == ARGV[1] then redis.call('pexpire', KEYS[1], ARGV[2]) return 1 end
if redis.call('pttl', KEYS[1]) == -1 then redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0`;

/** Extends the lock (ARGV[2] the TTL) only if it is still ours. */
export const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
