import { createHash } from 'node:crypto';

/**
 * The whole multi-limit token bucket as one atomic script, on the Redis server's clock.
 *
 * KEYS     one or more keys; each holds n + 2 doubles packed with `struct` (last refill in ms,
 *          kept-until in ms, then the tokens of each limit), so a decision costs TIME + GET + SET
 *          and no formatting; then, once an `adjust` with an id wrote it, its record (below)
 * ARGV[1]  mode: `take` (debit all or nothing), `peek` (wait only), `adjust` (add deltas);
 *          `take-after`, `peek-after` and `adjust-after`: the same, soon after an outage (below)
 * ARGV[2]  n, the number of limits; then per limit: rate (units/ms), capacity (the limit names
 *          are part of each key, see `redis-keys.ts`); then per key: m (its number of
 *          requests), then m * n amounts; for `adjust`, optionally the call's id (8 bytes); for
 *          the `-after` modes, last (after the id), the ms since the outage began
 *
 * Returns one integer per request, keys in order: 0 when admitted (or, for `peek`, when it would
 * be), otherwise the whole ms to wait (>= 1); -1 when the key holds another Redis type (only in
 * a call of several requests: one key that another program uses must not fail the others, and
 * a script cannot undo what it wrote for the keys before it). Requests are decided in order at one server time,
 * exactly as if they had arrived one after the other. Nothing is written for a key unless
 * something was debited or adjusted. A key whose every bucket is full is deleted (it equals a
 * missing key), unless it holds the record of a recent adjust (below). A value of another size
 * (the limits changed) counts as full buckets. Doubles are stored exactly.
 *
 * TTL: a key must live until its buckets are full again, but rewriting its expiry (`SET ... PX`)
 * costs twice a `SET ... KEEPTTL`. So a `PX` write buys slack: the deficit plus one full refill
 * of the slowest limit (capacity / rate), and the value records kept-until, the server time
 * until which that TTL is known to keep the key. A later write whose buckets are full again by
 * then keeps the TTL; only one whose deficit outgrows kept-until sets a new one. Redis counts a
 * `PX` from a whole ms (Redis 7: the one it read at the start of the script), which can be up to
 * 1 ms (plus the time before `TIME`) earlier than `now`: `PX` gets 2 ms more than kept-until
 * records, so the key always outlives kept-until. An idle key thus expires at most one full refill (plus 2 ms)
 * after its buckets are full again, or later by what an `adjust` refund took off the deficit, or
 * at kept-until when it holds the record of an adjust (at least 15 s after it, below).
 * `KEEPTTL` needs Redis 6, where `redis.setresp` appeared too: on Redis 5 every write sets `PX`.
 *
 * Sent again: a client sends a command again when its reply was lost (ioredis reconnects and
 * resends it, `autoResendUnfulfilledCommands`, on by default), so Redis may run one call twice.
 * Twice, a refund (a negative `adjust`: a late reply, a waiter that left, the caller's) lets
 * through more than the shared limit. So an `adjust` carries an id, and each key keeps a record
 * of the ids of its last 32 adjusts after its numbers: `#` then the ids, newest first (a length
 * no value of n + 2 doubles has, so nothing else reads as one). An adjust whose id the key holds
 * changes nothing and answers as the first did. A write that records an id keeps the key (and so
 * the record) at least 15 s, longer than ioredis keeps a command without a reply by default (it
 * fails it after 21 reconnection attempts, about 12 s). A key whose buckets end full is kept
 * with its record until kept-until (15 s after the id an adjust that fills it writes): deleted
 * with it, a refund sent again onto a key another process's take recreated meanwhile would be
 * given twice. Takes carry no id (a stored value stays n + 2 doubles, a decision one GET and one
 * SET): the store decides a take whose connection closed by the outage policy instead, and gives
 * back what the take sent again admits (see `redis-store.ts`). Every other write keeps the
 * record as it is.
 *
 * Bounds, so that no input makes a command fail (which would look like an outage): an `adjust`
 * keeps each bucket between -capacity (a debt of at most one capacity) and capacity, and a stored
 * value outside that range (written by another program or version; NaN included) is read back
 * clamped (a NaN kept-until sets a new TTL); waits and
 * TTLs are capped at 2^52 ms (Redis rejects a `PX` it cannot print as an integer, about 1e17,
 * and returns a wait above 2^63 as a negative integer).
 *
 * After an outage: a missing key reads as full buckets, and a Redis restarted without persistence
 * has lost every key, so the first decisions after it would admit a full capacity again however
 * short the outage. A `fail-closed` store that saw the outage sends, until its
 * slowest limit could have refilled (capacity / rate), the `-after` modes with the ms since the
 * outage began (its first failed decision, on the process clock): a missing key (or a value of
 * another size) then starts each bucket at min(capacity, rate * ms), the least it can hold if no
 * one admitted since (`fail-closed` admits nothing during an outage). A stored key is read as
 * always. The cost: a key that was full or new starts part full for that window (fewer
 * admitted, never more). A restart no process saw as an outage still reads as full buckets. The
 * usual decisions (`ONE_LIMIT_TAKE`, `take`, `peek`) carry nothing more.
 */
const TOKEN_BUCKET_SCRIPT = `
local mode = ARGV[1]
-- soon after an outage: the ms since it began, what a missing key refilled at least (see above)
-- (the last argument, after an adjust's id: \`argc\` counts the arguments before it)
local after
local argc = #ARGV
if mode == 'take-after' or mode == 'peek-after' or mode == 'adjust-after' then
  after = ARGV[argc] + 0
  argc = argc - 1
  mode = string.sub(mode, 1, #mode - 6)
end
-- ARGV and TIME's reply are strings: arithmetic converts them (\`+ 0\`) exactly as tonumber()
-- does, but parses once where tonumber() parses twice (~1k instructions a number on Redis 7)
local n = ARGV[2] + 0
local clock = redis.call('TIME')
local now = clock[1] * 1000 + clock[2] / 1000
local function ms(x)
  x = math.ceil(x)
  if x > 4503599627370496 then return 4503599627370496 end
  return x
end
local rate = {}
local cap = {}
for i = 1, n do
  rate[i] = ARGV[i * 2 + 1] + 0
  cap[i] = ARGV[i * 2 + 2] + 0
end
local layout = string.rep('d', n + 2)
local size = 8 * (n + 2)
-- the call's id, for an adjust with one argument more than its amounts
local id
if mode == 'adjust' then
  local last = 2 + n * 2
  for k = 1, #KEYS do last = last + 1 + ARGV[last + 1] * n end
  if argc == last + 1 and #ARGV[last + 1] == 8 then id = ARGV[last + 1] end
end
local results = {}
local r = 0
local arg = 3 + n * 2
for k = 1, #KEYS do
  local key = KEYS[k]
  local m = ARGV[arg] + 0
  arg = arg + 1
  local raw = redis.pcall('GET', key)
  if type(raw) == 'table' and raw.err then
    -- another type at this key (another program's key): its requests fail alone, as -1
    for j = 1, m do
      r = r + 1
      results[r] = -1
    end
    arg = arg + m * n
  else
    local tokens = {}
    -- no stored kept-until: the first write sets a TTL
    local kept = 0
    -- the record of the key's last adjusts, after its numbers
    local seen = ''
    if raw and #raw > size and string.byte(raw, size + 1) == 35 and (#raw - size - 1) % 8 == 0 then
      seen = string.sub(raw, size + 2)
      raw = string.sub(raw, 1, size)
    end
    -- this adjust ran already: the same command, sent again
    local again = false
    if id then
      local at = string.find(seen, id, 1, true)
      while at and at % 8 ~= 1 do at = string.find(seen, id, at + 1, true) end
      again = at ~= nil
    end
    if raw and #raw == size then
      local state = { struct.unpack(layout, raw) }
      local elapsed = now - state[1]
      if elapsed < 0 then elapsed = 0 end
      kept = state[2]
      for i = 1, n do
        local cur = state[i + 2] + elapsed * rate[i]
        if cur > cap[i] or cur ~= cur then cur = cap[i] elseif cur < -cap[i] then cur = -cap[i] end
        tokens[i] = cur
      end
    elseif after then
      for i = 1, n do
        local cur = after * rate[i]
        if cur > cap[i] or cur ~= cur then cur = cap[i] elseif cur < 0 then cur = 0 end
        tokens[i] = cur
      end
    else
      for i = 1, n do tokens[i] = cap[i] end
    end
    local changed = false
    for j = 1, m do
      r = r + 1
      if mode == 'adjust' then
        if not again then
          for i = 1, n do
            local v = tokens[i] - ARGV[arg + i - 1]
            if v > cap[i] then v = cap[i] elseif v < -cap[i] then v = -cap[i] end
            tokens[i] = v
          end
          changed = true
        end
        results[r] = 0
      else
        local wait = 0
        for i = 1, n do
          local missing = ARGV[arg + i - 1] - tokens[i]
          if missing > 1e-9 then
            local w = missing / rate[i]
            if w > wait then wait = w end
          end
        end
        if wait > 0 then
          results[r] = ms(wait)
        elseif mode == 'peek' then
          results[r] = 0
        else
          for i = 1, n do tokens[i] = tokens[i] - ARGV[arg + i - 1] end
          changed = true
          results[r] = 0
        end
      end
      arg = arg + n
    end
    if changed then
      -- an id recorded: the key lives 15 s at least, so that the record outlives a resend
      local hold = 0
      if id then
        seen = string.sub(id .. seen, 1, 256)
        hold = 15000
      end
      local tail = ''
      if seen ~= '' then tail = '#' .. seen end
      -- ms until every bucket is full again
      local deficit = -1
      for i = 1, n do
        if tokens[i] < cap[i] then
          local d = (cap[i] - tokens[i]) / rate[i]
          if d > deficit then deficit = d end
        end
      end
      if deficit < 0 then
        -- Full: it equals a missing key, but the record of an adjust (the one just written: 15 s)
        -- stays until kept-until, for a command sent again
        if hold > 0 then kept = now + hold end
        if tail == '' or kept <= now then
          redis.call('DEL', key)
        else
          local value = struct.pack(layout, now, kept, unpack(tokens)) .. tail
          redis.call('SET', key, value, 'PX', ms(kept - now) + 2)
        end
      elseif now + deficit <= kept and now + hold <= kept and redis.setresp then
        -- the TTL outlives the deficit (redis.setresp came with KEEPTTL, in Redis 6)
        redis.call('SET', key, struct.pack(layout, now, kept, unpack(tokens)) .. tail, 'KEEPTTL')
      else
        local refill = 0
        for i = 1, n do
          local f = cap[i] / rate[i]
          if f > refill then refill = f end
        end
        local ttl = ms(deficit + refill)
        if ttl < hold then ttl = hold end
        local value = struct.pack(layout, now, now + ttl, unpack(tokens)) .. tail
        redis.call('SET', key, value, 'PX', ttl + 2)
      end
    end
  end
end
return results
`;

/** A script and the SHA-1 that `EVALSHA` names it by. */
export interface RedisScript {
  readonly source: string;
  readonly sha: string;
}

const script = (source: string): RedisScript => ({
  source,
  sha: createHash('sha1').update(source).digest('hex'),
});

export const TOKEN_BUCKET: RedisScript = script(TOKEN_BUCKET_SCRIPT);

/**
 * The most common decisions, `take` on one key of a one-limit limiter (every Redis token bucket),
 * one request or several decided in order, with the same arithmetic, the same stored value (three
 * doubles: last refill, kept-until, tokens; then the record of the last adjusts, kept as it is)
 * and the same TTL rules as {@link TOKEN_BUCKET_SCRIPT}, so both scripts share keys.
 *
 * KEYS     the key
 * ARGV     rate (units/ms), capacity, then one cost per request
 *
 * Returns an integer when every request got the same answer (always for one request; 0 when all
 * were admitted, the usual batch), otherwise one integer per request: 0 admitted, else the whole
 * ms to wait. A key of another type fails the whole call with `WRONGTYPE` (all its requests are
 * for that key).
 *
 * Why a script of its own: a decision is one round trip and most of its time in Redis is fixed
 * cost, so what the general script adds (mode and counts as arguments, tables of limits,
 * `pcall`, a table reply) costs about as much as everything the two have in common.
 */
export const ONE_LIMIT_TAKE: RedisScript = script(`
local clock = redis.call('TIME')
-- strings convert by arithmetic, as in TOKEN_BUCKET_SCRIPT
local now = clock[1] * 1000 + clock[2] / 1000
local rate = ARGV[1] + 0
local cap = ARGV[2] + 0
local raw = redis.call('GET', KEYS[1])
local tokens = cap
local kept = 0
-- the record of the key's last adjusts (see TOKEN_BUCKET_SCRIPT), written back as it is
local tail = ''
if raw and #raw > 24 and string.byte(raw, 25) == 35 and (#raw - 25) % 8 == 0 then
  tail = string.sub(raw, 25)
  raw = string.sub(raw, 1, 24)
end
if raw and #raw == 24 then
  local last, stored
  last, kept, stored = struct.unpack('ddd', raw)
  local elapsed = now - last
  if elapsed < 0 then elapsed = 0 end
  tokens = stored + elapsed * rate
  if tokens > cap or tokens ~= tokens then tokens = cap elseif tokens < -cap then tokens = -cap end
end
local first
local results
local changed = false
for j = 3, #ARGV do
  local cost = ARGV[j] + 0
  local wait = 0
  local missing = cost - tokens
  if missing > 1e-9 then
    wait = math.ceil(missing / rate)
    if wait > 4503599627370496 then wait = 4503599627370496 end
  else
    tokens = tokens - cost
    changed = true
  end
  if j == 3 then
    first = wait
  elseif results then
    results[j - 2] = wait
  elseif wait ~= first then
    results = {}
    for i = 1, j - 3 do results[i] = first end
    results[j - 2] = wait
  end
end
if changed then
  if tokens < cap then
    -- the TTL rules of TOKEN_BUCKET_SCRIPT: keep the TTL while it outlives the deficit
    local deficit = (cap - tokens) / rate
    if now + deficit <= kept and redis.setresp then
      redis.call('SET', KEYS[1], struct.pack('ddd', now, kept, tokens) .. tail, 'KEEPTTL')
    else
      local ttl = math.ceil(deficit + cap / rate)
      if ttl > 4503599627370496 then ttl = 4503599627370496 end
      redis.call('SET', KEYS[1], struct.pack('ddd', now, now + ttl, tokens) .. tail, 'PX', ttl + 2)
    end
  elseif tail ~= '' and now < kept then
    -- full (a take of 0), but the record of a recent adjust is kept until kept-until
    local ttl = math.ceil(kept - now)
    redis.call('SET', KEYS[1], struct.pack('ddd', now, kept, tokens) .. tail, 'PX', ttl + 2)
  else
    redis.call('DEL', KEYS[1])
  end
end
return results or first
`);
