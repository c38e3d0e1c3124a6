import { createHash } from 'node:crypto';

/**
 * The whole multi-limit token bucket as one atomic script, on the Redis server's clock.
 *
 * KEYS[1]  the hash of one key: field `ts` (last refill, ms) and one field per limit (tokens)
 * ARGV[1]  mode: `take` (debit all or nothing), `peek` (wait only), `adjust` (add deltas)
 * ARGV[2]  n, the number of limits, then per limit: name, rate (units/ms), capacity, amount
 *
 * Returns `{ admitted (0|1), waitMs }`. A rejected `take` writes nothing. A key whose every bucket
 * is full is deleted (it equals a missing key); otherwise it expires when it would be full again,
 * so idle keys cost Redis nothing. Numbers are stored with `%.17g`, which round-trips doubles.
 */
export const TOKEN_BUCKET_SCRIPT = `
local mode = ARGV[1]
local n = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + tonumber(clock[2]) / 1000
local fields = { 'ts' }
for i = 1, n do fields[i + 1] = ARGV[i * 4 - 1] end
local state = redis.call('HMGET', KEYS[1], unpack(fields))
local last = tonumber(state[1])
local elapsed = 0
if last ~= nil and now > last then elapsed = now - last end
local tokens = {}
local wait = 0
for i = 1, n do
  local rate = tonumber(ARGV[i * 4])
  local cap = tonumber(ARGV[i * 4 + 1])
  local amount = tonumber(ARGV[i * 4 + 2])
  local cur = tonumber(state[i + 1])
  if cur == nil or last == nil then
    cur = cap
  else
    cur = cur + elapsed * rate
    if cur > cap then cur = cap end
  end
  tokens[i] = cur
  if mode ~= 'adjust' then
    local missing = amount - cur
    if missing > 1e-9 then
      local w = missing / rate
      if w > wait then wait = w end
    end
  end
end
if mode == 'peek' then return { 0, math.ceil(wait) } end
if mode == 'take' and wait > 0 then return { 0, math.ceil(wait) } end
local full = true
local ttl = 0
local values = { 'ts', string.format('%.17g', now) }
for i = 1, n do
  local rate = tonumber(ARGV[i * 4])
  local cap = tonumber(ARGV[i * 4 + 1])
  local v = tokens[i] - tonumber(ARGV[i * 4 + 2])
  if v >= cap then
    v = cap
  else
    full = false
    local refill = (cap - v) / rate
    if refill > ttl then ttl = refill end
  end
  values[#values + 1] = ARGV[i * 4 - 1]
  values[#values + 1] = string.format('%.17g', v)
end
if full then
  redis.call('DEL', KEYS[1])
else
  redis.call('HSET', KEYS[1], unpack(values))
  redis.call('PEXPIRE', KEYS[1], math.ceil(ttl) + 1)
end
return { 1, 0 }
`;

export const TOKEN_BUCKET_SHA = createHash('sha1').update(TOKEN_BUCKET_SCRIPT).digest('hex');
