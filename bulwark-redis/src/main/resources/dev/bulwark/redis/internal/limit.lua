-- Bulwark rate-limit decisions on Redis: every rule of one key, checked and recorded in one atomic
-- call, with the exact integer-nanosecond semantics specified on dev.bulwark.ratelimit.LimitStore
-- (this script is appended to exact.lua, whose X.* functions keep every product exact).
--
-- KEYS[1]  the hash holding the state of every rule of (entityId, operation)
-- ARGV[1]  mode: 'a' acquire, 'p' peek (one unit, records nothing), 'r' reset, 'i' inspect
-- ARGV[2]  cost (an integer >= 1)
-- ARGV[3]  now in nanoseconds, or '' to read the server clock (TIME)
-- ARGV[4]  the least TTL to give the key, in milliseconds (0 in production)
-- ARGV[5]  n, the number of rules; then 3 arguments per rule: algorithm letter, limit, window (ns)
--
-- A rule's state lives in the hash fields <letter><limit>:<window>:<a|b|c>, so rules with the same
-- limit, window and algorithm share state whatever their names.
--
-- Replies (decimal strings): 'a', 'p': {allowed, deciding rule (1-based), remaining, retry_after
-- (-1 for never), reset_after}; 'r': {1 if any state was live}; 'i': 7 values per live rule:
-- letter, limit, window, allowed, remaining, retry_after, reset_after (a peek of one unit).

local key = KEYS[1]
local mode = ARGV[1]
local cost = tonumber(ARGV[2])
local t
if ARGV[3] == '' then
  local time = redis.call('TIME')
  t = X.add(X.mul(tonumber(time[1]), 1000000000), tonumber(time[2]) * 1000)
else
  t = X.parse(ARGV[3])
end
local min_ttl_ms = tonumber(ARGV[4])

local add, sub, mul, cmp, divmod = X.add, X.sub, X.mul, X.cmp, X.divmod
local floordiv, ceildiv, max, str, parse = X.floordiv, X.ceildiv, X.max, X.str, X.parse

-- Each algorithm builds the state of one rule at time t from its stored fields (nil when absent)
-- and answers: remaining(), reset(), admits(c), retry(c) (when denied), update(c), fields().

local algorithms = {}

-- state (idx, n): the aligned window index and its count
algorithms.F = function(L, W, fa, fb)
  local i, e = divmod(t, W)
  local idx, n = i, 0
  if fa then
    local stored = parse(fa)
    local c = cmp(i, stored)
    if c == 0 then
      n = tonumber(fb)
    elseif c < 0 then  -- the clock read is older than the state: use the state's window
      idx, n, e = stored, tonumber(fb), 0
    end
  end
  local s = {}
  function s.remaining() return L - n end
  function s.reset()
    if n > 0 then return sub(W, e) end
    return 0
  end
  function s.admits(c) return n + c <= L end
  function s.retry() return sub(W, e) end
  function s.update(c) n = n + c end
  function s.fields() return { str(idx), tostring(n) } end
  return s
end

-- state (idx, p, n): the aligned window index, the previous and the current window's counts
algorithms.S = function(L, W, fa, fb, fc)
  local i, e = divmod(t, W)
  local idx, p, n = i, 0, 0
  if fa then
    local stored = parse(fa)
    local c = cmp(i, stored)
    if c == 0 then
      p, n = tonumber(fb), tonumber(fc)
    elseif c < 0 then
      idx, p, n, e = stored, tonumber(fb), tonumber(fc), 0
    elseif cmp(i, add(stored, 1)) == 0 then
      p, n = tonumber(fc), 0
    end
  end
  local function estimate()
    if p == 0 then return n end
    return n + p - floordiv(mul(p, e), W)
  end
  local s = {}
  function s.remaining()
    local r = L - estimate()
    if r < 0 then return 0 end
    return r
  end
  function s.reset()
    if n > 0 then return sub(add(W, W), e) end
    if p > 0 then return sub(W, e) end
    return 0
  end
  function s.admits(c) return estimate() + c <= L end
  function s.retry(c)
    local k = L - n - c
    if k >= 0 then
      local e1 = sub(W, floordiv(mul(k, W), p))
      if cmp(e1, W) < 0 then return sub(e1, e) end
    end
    local d0 = sub(W, e)
    local k2 = L - c
    if n <= k2 then return d0 end
    local e2 = sub(W, floordiv(mul(k2, W), n))
    if cmp(e2, W) < 0 then return add(d0, e2) end
    return add(d0, W)
  end
  function s.update(c) n = n + c end
  function s.fields() return { str(idx), tostring(p), tostring(n) } end
  return s
end

-- state V = vn + vf / L: the virtual time at which the bucket was empty
algorithms.T = function(L, W, fa, fb)
  local vn, vf = nil, 0
  if fa then vn, vf = parse(fa), tonumber(fb) end
  local function full()
    if vn == nil then return true end
    local c = cmp(sub(t, vn), W)
    return c > 0 or (c == 0 and vf == 0)
  end
  local s = {}
  function s.remaining()
    if full() then return L end
    local d = sub(t, vn)
    if cmp(d, 0) <= 0 then return 0 end
    local tokens = floordiv(sub(mul(d, L), vf), W)
    if cmp(tokens, L) > 0 then return L end
    return tokens
  end
  function s.reset()
    if vn == nil then return 0 end
    local r = sub(add(vn, W), t)
    if vf > 0 then r = add(r, 1) end
    return max(r, 0)
  end
  function s.admits(c) return cmp(s.remaining(), c) >= 0 end
  function s.retry(c)
    local q, r = divmod(mul(c, W), L)
    return add(sub(add(vn, q), t), ceildiv(vf + r, L))
  end
  function s.update(c)
    if full() then vn, vf = sub(t, W), 0 end
    local q, r = divmod(mul(c, W), L)
    vf = vf + r
    vn = add(vn, q)
    if vf >= L then
      vf = vf - L
      vn = add(vn, 1)
    end
  end
  function s.fields() return { str(vn), tostring(vf) } end
  return s
end

-- state TAT, the theoretical arrival time; emission interval T = ceil(W / L)
algorithms.G = function(L, W, fa)
  local T = ceildiv(W, L)
  local tat = nil
  if fa then tat = parse(fa) end
  local function ahead()
    if tat == nil then return 0 end
    return max(sub(tat, t), 0)
  end
  local s = {}
  function s.remaining() return L - ceildiv(ahead(), T) end
  function s.reset() return ahead() end
  function s.admits(c) return cmp(add(ahead(), mul(c, T)), mul(L, T)) <= 0 end
  function s.retry(c) return sub(add(ahead(), mul(c, T)), mul(L, T)) end
  function s.update(c) tat = add(add(t, ahead()), mul(c, T)) end
  function s.fields() return { str(tat) } end
  return s
end

-- state TAT, the time the bucket will have drained; emission interval T = ceil(W / L)
algorithms.L = function(L, W, fa)
  local T = ceildiv(W, L)
  local tat = nil
  if fa then tat = parse(fa) end
  local function ahead()
    if tat == nil then return 0 end
    return max(sub(tat, t), 0)
  end
  local s = {}
  function s.remaining()
    if ahead() == 0 then return L end
    return 0
  end
  function s.reset() return ahead() end
  function s.admits() return ahead() == 0 end
  function s.retry() return ahead() end
  function s.update(c) tat = add(t, mul(c, T)) end
  function s.fields() return { str(tat) } end
  return s
end

-- A rule whose limit is 0 never has state: it denies everything.
local function never_admits()
  local s = {}
  function s.remaining() return 0 end
  function s.reset() return 0 end
  function s.admits() return false end
  function s.update() end
  function s.fields() return {} end
  return s
end

local SUFFIX = { 'a', 'b', 'c' }

local function rule_state(letter, L, W, fa, fb, fc)
  if L == 0 then return never_admits() end
  return algorithms[letter](L, parse(W), fa, fb, fc)
end

-- reset and inspect: every rule found in the hash
if mode == 'r' or mode == 'i' then
  local flat = redis.call('HGETALL', key)
  local rules, order = {}, {}
  for j = 1, #flat, 2 do
    local letter, L, W, f = string.match(flat[j], '^(%u)(%d+):(%d+):(%l)$')
    if letter then
      local id = letter .. L .. ':' .. W
      local r = rules[id]
      if not r then
        r = { letter = letter, L = L, W = W, v = {} }
        rules[id] = r
        order[#order + 1] = id
      end
      r.v[f] = flat[j + 1]
    end
  end
  local out = {}
  local any_live = false
  for _, id in ipairs(order) do
    local r = rules[id]
    local L = tonumber(r.L)
    local s = rule_state(r.letter, L, r.W, r.v.a, r.v.b, r.v.c)
    local remaining = s.remaining()
    if cmp(remaining, L) < 0 then
      any_live = true
      local allowed, retry = '1', '0'
      if not s.admits(1) then
        allowed, retry = '0', str(s.retry(1))
      end
      local entry = { r.letter, r.L, r.W, allowed, str(remaining), retry, str(s.reset()) }
      for _, v in ipairs(entry) do out[#out + 1] = v end
    end
  end
  if mode == 'r' then
    redis.call('DEL', key)
    if any_live then return { '1' } end
    return { '0' }
  end
  return out
end

-- acquire and peek
local n = tonumber(ARGV[5])
local fields, limits, states = {}, {}, {}
for i = 1, n do
  local base = 3 + 3 * i
  fields[3 * i - 2] = ARGV[base] .. ARGV[base + 1] .. ':' .. ARGV[base + 2] .. ':a'
  fields[3 * i - 1] = ARGV[base] .. ARGV[base + 1] .. ':' .. ARGV[base + 2] .. ':b'
  fields[3 * i] = ARGV[base] .. ARGV[base + 1] .. ':' .. ARGV[base + 2] .. ':c'
end
local stored = redis.call('HMGET', key, unpack(fields))
local all_admit = true
local never = {}
for i = 1, n do
  local base = 3 + 3 * i
  local L = tonumber(ARGV[base + 1])
  limits[i] = L
  states[i] = rule_state(ARGV[base], L, ARGV[base + 2],
      stored[3 * i - 2] or nil, stored[3 * i - 1] or nil, stored[3 * i] or nil)
  never[i] = L == 0 or cost > L
  if never[i] or not states[i].admits(cost) then all_admit = false end
end

if all_admit then
  if mode == 'a' then
    local writes, ttl = {}, 0
    for i = 1, n do
      states[i].update(cost)
      local values = states[i].fields()
      for f = 1, #values do
        writes[#writes + 1] = fields[3 * i - 3 + f]
        writes[#writes + 1] = values[f]
      end
      ttl = max(ttl, states[i].reset())
    end
    redis.call('HSET', key, unpack(writes))
    local ttl_ms = ceildiv(ttl, 1000000)
    if cmp(ttl_ms, min_ttl_ms) < 0 then ttl_ms = min_ttl_ms end
    if cmp(ttl_ms, 1) < 0 then ttl_ms = 1 end
    -- only ever extend: other rules of this key may need their state for longer
    if cmp(redis.call('PTTL', key), ttl_ms) < 0 then
      redis.call('PEXPIRE', key, str(ttl_ms))
    end
  end
  local best, best_remaining = 1, states[1].remaining()
  for i = 2, n do
    local r = states[i].remaining()
    if cmp(r, best_remaining) < 0 then best, best_remaining = i, r end
  end
  return { '1', tostring(best), str(best_remaining), '0', str(states[best].reset()) }
end

-- denied: the denying rule with the longest wait, the first on ties; never is the longest
local worst, worst_wait = nil, nil
for i = 1, n do
  if never[i] or not states[i].admits(cost) then
    local wait = -1
    if not never[i] then wait = states[i].retry(cost) end
    if worst == nil then
      worst, worst_wait = i, wait
    elseif worst_wait ~= -1 and (wait == -1 or cmp(wait, worst_wait) > 0) then
      worst, worst_wait = i, wait
    end
  end
end
return { '0', tostring(worst), str(states[worst].remaining()), str(worst_wait), str(states[worst].reset()) }
