-- Bulwark rate-limit decision: every rule of one key, checked and recorded in one atomic call.
--
-- KEYS[1]  the hash that holds the state of every rule of (entityId, operation)
-- ARGV[1]  '1' to record the cost when every rule admits it (acquire), '0' to only look (peek)
-- ARGV[2]  cost, an integer >= 0
-- ARGV[3]  now in time units, or '' to read the server clock (TIME, in microseconds)
-- ARGV[4]  time units per millisecond (1000000 for nanoseconds, 1000 for microseconds), for PEXPIRE
-- ARGV[5]  number of rules n, then for each rule 4 arguments:
--          field prefix, algorithm letter (F S T L G), limit, window in time units
--
-- Returns {allowed (0/1), deciding rule (1-based), remaining, retry_after, reset_after}, times in
-- time units; retry_after is -1 when the cost can never be admitted (cost above the limit).
--
-- Arithmetic: Lua numbers are doubles, exact for integers below 2^53. Absolute times are never
-- multiplied: math.fmod and differences keep every product below limit * window, which is exact
-- for every rule with limit * window < 2^53 time units (e.g. 1 000 000 per hour in microseconds).

local key = KEYS[1]
local record = ARGV[1] == '1'
local cost = tonumber(ARGV[2])
local now
if ARGV[3] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
else
  now = tonumber(ARGV[3])
end
local units_per_ms = tonumber(ARGV[4])
local n = tonumber(ARGV[5])

local function int(x)
  return string.format('%.0f', x)
end

local function ceil_div(a, b)
  return math.ceil(a / b)
end

-- Each algorithm: f(limit, window, a, b, c) with its stored fields (nil when absent) returns
--   ok, remaining_now, remaining_after, retry_after, reset_now, reset_after, new_a, new_b, new_c
-- where *_now describe the state as it is and *_after the state once the cost is recorded.
-- reset_after is also how long the recorded state matters: after it, it equals no state at all.

local function fixed_window(limit, window, a, b)
  local offset = math.fmod(now, window)
  local index = (now - offset) / window
  local count = 0
  if a == index then count = b end
  local ok = count + cost <= limit
  local retry = 0
  if not ok then
    if cost > limit then retry = -1 else retry = window - offset end
  end
  local after = count + cost
  local reset_now, reset_after = 0, 0
  if count > 0 then reset_now = window - offset end
  if after > 0 then reset_after = window - offset end
  return ok, math.max(0, limit - count), limit - after, retry, reset_now, reset_after, index, after, nil
end

local function sliding_window(limit, window, a, b, c)
  local offset = math.fmod(now, window)
  local index = (now - offset) / window
  local current, previous = 0, 0
  if a == index then
    current, previous = b or 0, c or 0
  elseif a == index - 1 then
    previous = b or 0
  end
  local weighted = previous * (window - offset)  -- the previous window's count, scaled by window
  local capacity = limit * window
  local ok = weighted + (current + cost) * window <= capacity
  local retry = 0
  if not ok then
    if cost > limit then
      retry = -1
    else
      local room = limit - current - cost
      local at = window  -- offset within this window at which the request fits, or window if it never does
      if room >= 0 and previous > 0 then
        at = window - math.floor(room * window / previous)
      end
      if at < window then
        retry = at - offset
      else
        local next_at = 0
        if current > 0 then
          next_at = math.max(0, window - math.floor((limit - cost) * window / current))
        end
        retry = window - offset + next_at
      end
    end
  end
  local after = current + cost
  local function reset_for(count)
    if count > 0 then return 2 * window - offset elseif previous > 0 then return window - offset end
    return 0
  end
  local remaining_now = math.max(0, math.floor((capacity - weighted - current * window) / window))
  local remaining_after = math.floor((capacity - weighted - after * window) / window)
  return ok, remaining_now, remaining_after, retry, reset_for(current), reset_for(after), index, after, previous
end

-- Token bucket: a holds tokens * window ("credit"), b the time of the last refill.
local function token_bucket(limit, window, a, b)
  local capacity = limit * window
  local credit = capacity
  if a then credit = math.min(capacity, a + math.min(now - b, window) * limit) end
  local need = cost * window
  local ok = credit >= need
  local retry = 0
  if not ok then
    if cost > limit then retry = -1 else retry = ceil_div(need - credit, limit) end
  end
  local after = credit - need
  return ok, math.floor(credit / window), math.floor(after / window), retry,
      ceil_div(capacity - credit, limit), ceil_div(capacity - after, limit), after, now, nil
end

-- Leaky bucket (as a meter): a holds the level * window, b the time it was last drained.
local function leaky_bucket(limit, window, a, b)
  local capacity = limit * window
  local level = 0
  if a then level = math.max(0, a - math.min(now - b, window) * limit) end
  local need = cost * window
  local ok = level + need <= capacity
  local retry = 0
  if not ok then
    if cost > limit then retry = -1 else retry = ceil_div(level + need - capacity, limit) end
  end
  local after = level + need
  return ok, math.floor((capacity - level) / window), math.floor((capacity - after) / window),
      retry, ceil_div(level, limit), ceil_div(after, limit), after, now, nil
end

-- GCRA: the theoretical arrival time is a + b / limit (b in [0, limit)), emission interval window / limit.
local function gcra(limit, window, a, b)
  local capacity = limit * window
  local ahead = 0  -- (tat - now) * limit
  if a then ahead = math.max(0, (a - now) * limit + b) end
  local need = cost * window
  local ok = ahead + need <= capacity
  local retry = 0
  if not ok then
    if cost > limit then retry = -1 else retry = ceil_div(ahead + need - capacity, limit) end
  end
  local after = ahead + need
  local frac = math.fmod(after, limit)
  return ok, math.floor((capacity - ahead) / window), math.floor((capacity - after) / window),
      retry, ceil_div(ahead, limit), ceil_div(after, limit), now + (after - frac) / limit, frac, nil
end

local algorithms = { F = fixed_window, S = sliding_window, T = token_bucket, L = leaky_bucket, G = gcra }

local fields = {}
for i = 1, n do
  local prefix = ARGV[2 + 4 * i]
  fields[3 * i - 2] = prefix .. 'a'
  fields[3 * i - 1] = prefix .. 'b'
  fields[3 * i] = prefix .. 'c'
end
local stored = redis.call('HMGET', key, unpack(fields))

local all_ok = true
local results = {}
for i = 1, n do
  local base = 2 + 4 * i
  local algorithm = algorithms[ARGV[base + 1]]
  local limit = tonumber(ARGV[base + 2])
  local window = tonumber(ARGV[base + 3])
  local r = { algorithm(limit, window, tonumber(stored[3 * i - 2]), tonumber(stored[3 * i - 1]),
      tonumber(stored[3 * i])) }
  results[i] = r
  if not r[1] then all_ok = false end
end

if all_ok then
  -- the most restrictive rule: least remaining after admission
  local best = 1
  for i = 2, n do
    if results[i][3] < results[best][3] then best = i end
  end
  if record and cost > 0 then
    local writes = {}
    local ttl = 0
    for i = 1, n do
      local r = results[i]
      writes[#writes + 1] = fields[3 * i - 2]
      writes[#writes + 1] = int(r[7])
      writes[#writes + 1] = fields[3 * i - 1]
      writes[#writes + 1] = int(r[8])
      if r[9] then
        writes[#writes + 1] = fields[3 * i]
        writes[#writes + 1] = int(r[9])
      end
      ttl = math.max(ttl, r[6])
    end
    redis.call('HSET', key, unpack(writes))
    local ttl_ms = math.max(1, math.ceil(ttl / units_per_ms))
    -- only ever extend: other rules of this key may need their state for longer
    if redis.call('PTTL', key) < ttl_ms then
      redis.call('PEXPIRE', key, ttl_ms)
    end
    return { 1, best, results[best][3], 0, results[best][6] }
  end
  return { 1, best, results[best][2], 0, results[best][5] }
end

-- denied: the denying rule with the longest wait (never admissible counts as longest)
local worst = nil
for i = 1, n do
  local r = results[i]
  if not r[1] then
    if worst == nil then
      worst = i
    else
      local w = results[worst][4]
      if w ~= -1 and (r[4] == -1 or r[4] > w) then worst = i end
    end
  end
end
local r = results[worst]
return { 0, worst, r[2], r[4], r[5] }
