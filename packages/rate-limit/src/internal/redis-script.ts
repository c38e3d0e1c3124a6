import { createHash } from 'node:crypto';

/**
 * The whole multi-limit token bucket as one atomic script, on the Redis server's clock.
 *
 * KEYS[1]  one key's state: n + 1 doubles packed with `struct` (last refill in ms, then the tokens
 *          of each limit), so a decision costs TIME + GET + SET and no number formatting
 * ARGV[1]  mode: `take` (debit all or nothing), `peek` (wait only), `adjust` (add deltas)
 * ARGV[2]  n, the number of limits; ARGV[3] m, the number of requests (decisions) in this call
 * then    per limit: name, rate (units/ms), capacity; then per request: n amounts
 *
 * Returns one integer per request: 0 when admitted (or, for `peek`, when it would be), otherwise
 * the whole ms to wait (>= 1). Requests are decided in order at one server time, exactly as if
 * they had arrived one after the other. Nothing is written unless something was debited or
 * adjusted. A key whose every bucket is full is deleted (it equals a missing key); otherwise it
 * expires when it would be full again, so idle keys cost Redis nothing. A value of another size
 * (the limits changed) is treated as a full bucket. Doubles are stored exactly.
 */
export const TOKEN_BUCKET_SCRIPT = `
local mode = ARGV[1]
local n = tonumber(ARGV[2])
local m = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + tonumber(clock[2]) / 1000
local rate = {}
local cap = {}
for i = 1, n do
  rate[i] = tonumber(ARGV[i * 3 + 2])
  cap[i] = tonumber(ARGV[i * 3 + 3])
end
local base = 3 + n * 3
local layout = string.rep('d', n + 1)
local raw = redis.call('GET', KEYS[1])
local tokens = {}
if raw and #raw == 8 * (n + 1) then
  local state = { struct.unpack(layout, raw) }
  local elapsed = 0
  if now > state[1] then elapsed = now - state[1] end
  for i = 1, n do
    local cur = state[i + 1] + elapsed * rate[i]
    if cur > cap[i] then cur = cap[i] end
    tokens[i] = cur
  end
else
  for i = 1, n do tokens[i] = cap[i] end
end
local results = {}
local changed = false
for j = 1, m do
  local offset = base + (j - 1) * n
  if mode == 'adjust' then
    for i = 1, n do
      local v = tokens[i] - tonumber(ARGV[offset + i])
      if v > cap[i] then v = cap[i] end
      tokens[i] = v
    end
    changed = true
    results[j] = 0
  else
    local wait = 0
    for i = 1, n do
      local missing = tonumber(ARGV[offset + i]) - tokens[i]
      if missing > 1e-9 then
        local w = missing / rate[i]
        if w > wait then wait = w end
      end
    end
    if wait > 0 then
      results[j] = math.ceil(wait)
    elseif mode == 'peek' then
      results[j] = 0
    else
      for i = 1, n do tokens[i] = tokens[i] - tonumber(ARGV[offset + i]) end
      changed = true
      results[j] = 0
    end
  end
end
if changed then
  local full = true
  local ttl = 0
  for i = 1, n do
    if tokens[i] < cap[i] then
      full = false
      local refill = (cap[i] - tokens[i]) / rate[i]
      if refill > ttl then ttl = refill end
    end
  end
  if full then
    redis.call('DEL', KEYS[1])
  else
    redis.call('SET', KEYS[1], struct.pack(layout, now, unpack(tokens)), 'PX', math.ceil(ttl) + 1)
  end
end
return results
`;

export const TOKEN_BUCKET_SHA = createHash('sha1').update(TOKEN_BUCKET_SCRIPT).digest('hex');
