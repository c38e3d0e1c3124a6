/**
 * The Lua scripts of the Redis state, each one round trip. Keys per deployment:
 * `<prefix>cooldown:<id>` (its value is `<reason>:<at>`, `at` the latest decision to take the
 * deployment out, epoch ms by the deciding instance's clock; its PX expiry the end) and
 * `<prefix>probe:<id>` (the instance that holds the probe after a cooldown, with a PX expiry).
 */

/**
 * How far past the clock (Redis', or this host's) a cooldown's date may be and still count as a
 * decision: hosts' clocks agree within milliseconds under NTP; a date further ahead is a broken
 * clock or another program's value, not a later decision that a recovery must leave in place.
 */
export const MAX_CLOCK_AHEAD_MS = 60_000;

/**
 * KEYS: cooldown, probe. ARGV: duration ms, reason, channel, message, deadline (the cooldown's end,
 * epoch ms by the deciding instance's clock), at (when it was decided, same clock). Extends the cooldown when this one ends later, frees
 * the probe, and tells every instance. A script that runs late (Redis stalled, or ioredis resent
 * it after a reconnection) writes only what is left until the deadline by Redis' clock, and
 * nothing once it has passed (0): replayed as new, it would take the deployment out again on
 * every instance, for a cooldown long over. `TIME` before a write needs Redis 5 or later.
 */
export const COOLDOWN_SCRIPT = `
local clock = redis.call('TIME')
local left = math.floor(tonumber(ARGV[5]) - (clock[1] * 1000 + clock[2] / 1000))
if left <= 0 then return 0 end
local ms = tonumber(ARGV[1])
if left < ms then ms = left end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < ms then
  redis.call('SET', KEYS[1], ARGV[2] .. ':' .. ARGV[6], 'PX', ms)
else
  -- A longer cooldown runs on: dated by this later decision, which a late recovery must not undo.
  local value = redis.pcall('GET', KEYS[1])
  if type(value) == 'string' then
    local at = tonumber(string.match(value, ':(%d+)$'))
    if at == nil or at < tonumber(ARGV[6]) then
      redis.call('SET', KEYS[1], string.match(value, '^[^:]*') .. ':' .. ARGV[6], 'PX', ttl)
    end
  end
end
redis.call('DEL', KEYS[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
`;

/**
 * KEYS: cooldown, probe. ARGV: channel, message, at (when the probe succeeded, epoch ms by the
 * deciding instance's clock). The deployment answered its probe. A script that runs late (see
 * {@link COOLDOWN_SCRIPT}) after a cooldown decided later leaves it and publishes nothing (0). A
 * date more than {@link MAX_CLOCK_AHEAD_MS} past Redis' clock is no decision (a host whose clock
 * is far off, another program's value): it would hold every recovery back until the key expired,
 * each instance that starts taking the deployment out again meanwhile.
 */
export const RECOVERED_SCRIPT = `
local value = redis.pcall('GET', KEYS[1])
if type(value) == 'string' then
  local at = tonumber(string.match(value, ':(%d+)$'))
  local clock = redis.call('TIME')
  local credible = clock[1] * 1000 + clock[2] / 1000 + tonumber(ARGV[4])
  if at ~= nil and at > tonumber(ARGV[3]) and at <= credible then return 0 end
end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('PUBLISH', ARGV[1], ARGV[2])
return 1
`;

/**
 * KEYS: probe. ARGV: ttl ms, instance. 1 when this instance holds the probe, else 0. A claim this
 * instance already holds is renewed: its probe ended without a verdict (the caller aborted it),
 * and its next call probes instead of waiting for its own claim to expire.
 */
export const CLAIM_SCRIPT = `
if redis.call('SET', KEYS[1], ARGV[2], 'NX', 'PX', ARGV[1]) then return 1 end
local holder = redis.pcall('GET', KEYS[1])
if holder == ARGV[2] then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  return 1
end
if type(holder) == 'table' and holder.err then
  -- another program's key of another type, under this router's prefix: it holds no claim
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[1])
  return 1
end
return 0
`;

/**
 * KEYS: every cooldown key. Returns, per key, its remaining ms (<= 0: none) and its value. A key
 * another program wrote with another type is no cooldown: read as none, so one such key does not
 * fail the read of every other deployment's.
 */
export const SYNC_SCRIPT = `
local out = {}
for i, key in ipairs(KEYS) do
  local reason = redis.pcall('GET', key)
  if type(reason) == 'table' and reason.err then
    out[2 * i - 1] = -2
    out[2 * i] = ''
  else
    out[2 * i - 1] = redis.call('PTTL', key)
    out[2 * i] = reason or ''
  end
end
return out
`;

/** A slow Redis' probe: the cheapest script, through the same path (and timeout) as the others. */
export const PROBE_SCRIPT = 'return 1';
