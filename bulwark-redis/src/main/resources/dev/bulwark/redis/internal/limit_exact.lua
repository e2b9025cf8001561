-- The exact decision script (appended to exact.lua): the same semantics and the same state layout
-- as the fast path in limit_decide.lua, on exact_arithmetic() values, for rules whose magnitudes do not
-- fit plain doubles (limit x window or window of 2^51 ns or more, windows that are not whole
-- microseconds in server time, client times of 2^51 ns or more), for keys whose time origin is
-- due to move forward, and for reset and inspect. See limit_decide.lua for the arguments and replies.

local function exact_decide()
  local X = exact_arithmetic()
  local add, sub, mul, cmp, divmod = X.add, X.sub, X.mul, X.cmp, X.divmod
  local floordiv, ceildiv, max, str, parse = X.floordiv, X.ceildiv, X.max, X.str, X.parse

  local key = KEYS[1]
  local mode = ARGV[1]
  local cost = tonumber(ARGV[2])
  local server = ARGV[3] == ''
  local n = tonumber(ARGV[5])
  local nf = tonumber(ARGV[6])

  -- time: abs is the absolute time in ns (for aligned windows), t the time relative to the key's
  -- origin (server time) or the client's time itself (client time)
  local abs_us, abs, origin_us
  if server then
    local time = redis.call('TIME')
    abs_us = add(mul(tonumber(time[1]), 1000000), tonumber(time[2]))
    abs = mul(abs_us, 1000)
  else
    abs = parse(ARGV[3])
  end
  local stored_origin = redis.call('HGET', key, 'o')
  if server then
    origin_us = stored_origin and parse(stored_origin) or abs_us
  end
  local t = abs
  if server then t = mul(sub(abs_us, origin_us), 1000) end

  -- Rebase: once the key is older than 2^48 ns, move its origin to now and every relative time
  -- (the 'a' field of T, G and L states) back by the same amount, so the fast path fits again.
  -- Window indexes (F, S) are absolute and stay as they are.
  if server and mode == 'a' and stored_origin and cmp(t, 281474976710656) >= 0 then
    local flat = redis.call('HGETALL', key)
    local moved = { 'o', str(abs_us) }
    for j = 1, #flat, 2 do
      if string.match(flat[j], '^[TGL]%d+:%d+:a$') then
        moved[#moved + 1] = flat[j]
        moved[#moved + 1] = str(sub(parse(flat[j + 1]), t))
      end
    end
    redis.call('HSET', key, unpack(moved))
    origin_us, stored_origin, t = abs_us, moved[2], 0
  end

  local function align(W)
    return divmod(abs, W)
  end

  local function to_reply(v)
    if type(v) == 'number' then return v end
    return str(v)
  end

  -- Each algorithm builds the state of one rule at time t from its stored fields (nil when absent)
  -- and answers: remaining(), reset(), admits(c), retry(c) (when denied), update(c), fields().
  local algorithms = {}

  algorithms.F = function(L, W, fa, fb)
    local i, e = align(W)
    local idx, cnt = i, 0
    if fa then
      local stored = parse(fa)
      local c = cmp(i, stored)
      if c == 0 then
        cnt = tonumber(fb)
      elseif c < 0 then  -- the clock read is older than the state: use the state's window
        idx, cnt, e = stored, tonumber(fb), 0
      end
    end
    local s = {}
    function s.remaining() return L - cnt end
    function s.reset()
      if cnt > 0 then return sub(W, e) end
      return 0
    end
    function s.admits(c) return cnt + c <= L end
    function s.retry() return sub(W, e) end
    function s.update(c) cnt = cnt + c end
    function s.fields() return { str(idx), cnt } end
    return s
  end

  algorithms.S = function(L, W, fa, fb, fc)
    local i, e = align(W)
    local idx, p, cnt = i, 0, 0
    if fa then
      local stored = parse(fa)
      local c = cmp(i, stored)
      if c == 0 then
        p, cnt = tonumber(fb), tonumber(fc)
      elseif c < 0 then
        idx, p, cnt, e = stored, tonumber(fb), tonumber(fc), 0
      elseif cmp(i, add(stored, 1)) == 0 then
        p, cnt = tonumber(fc), 0
      end
    end
    local function estimate()
      if p == 0 then return cnt end
      return cnt + p - floordiv(mul(p, e), W)
    end
    local s = {}
    function s.remaining()
      local r = L - estimate()
      if r < 0 then return 0 end
      return r
    end
    function s.reset()
      if cnt > 0 then return sub(add(W, W), e) end
      if p > 0 then return sub(W, e) end
      return 0
    end
    function s.admits(c) return estimate() + c <= L end
    function s.retry(c)
      local k = L - cnt - c
      if k >= 0 then
        local e1 = sub(W, floordiv(mul(k, W), p))
        if cmp(e1, W) < 0 then return sub(e1, e) end
      end
      local d0 = sub(W, e)
      local k2 = L - c
      if cnt <= k2 then return d0 end
      local e2 = sub(W, floordiv(mul(k2, W), cnt))
      if cmp(e2, W) < 0 then return add(d0, e2) end
      return add(d0, W)
    end
    function s.update(c) cnt = cnt + c end
    function s.fields() return { str(idx), p, cnt } end
    return s
  end

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
    function s.fields() return { str(vn), vf } end
    return s
  end

  local function arrival_state(L, W, fa, leaky)
    local T = ceildiv(W, L)
    local tat = nil
    if fa then tat = parse(fa) end
    local function ahead()
      if tat == nil then return 0 end
      return max(sub(tat, t), 0)
    end
    local s = {}
    function s.reset() return ahead() end
    function s.fields() return { str(tat) } end
    if leaky then
      function s.remaining()
        if ahead() == 0 then return L end
        return 0
      end
      function s.admits() return ahead() == 0 end
      function s.retry() return ahead() end
      function s.update(c) tat = add(t, mul(c, T)) end
    else
      function s.remaining() return L - ceildiv(ahead(), T) end
      function s.admits(c) return cmp(add(ahead(), mul(c, T)), mul(L, T)) <= 0 end
      function s.retry(c) return sub(add(ahead(), mul(c, T)), mul(L, T)) end
      function s.update(c) tat = add(add(t, ahead()), mul(c, T)) end
    end
    return s
  end
  algorithms.G = function(L, W, fa) return arrival_state(L, W, fa, false) end
  algorithms.L = function(L, W, fa) return arrival_state(L, W, fa, true) end

  -- a rule whose limit is 0 never has state: it denies everything
  local function never_admits()
    local s = {}
    function s.remaining() return 0 end
    function s.reset() return 0 end
    function s.admits() return false end
    return s
  end

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
        local allowed, retry = 1, 0
        if not s.admits(1) then
          allowed, retry = 0, to_reply(s.retry(1))
        end
        local entry = { r.letter, r.L, r.W, allowed, to_reply(remaining), retry, to_reply(s.reset()) }
        for _, v in ipairs(entry) do out[#out + 1] = v end
      end
    end
    if mode == 'r' then
      redis.call('DEL', key)
      if any_live then return { 1 } end
      return { 0 }
    end
    return out
  end

  -- acquire and peek
  local stored = redis.call('HMGET', key, 'o', 'e', unpack(ARGV, 7, 6 + nf))
  local states, never, first_field = {}, {}, {}
  local all_admit = true
  local f = 3
  local base = 7 + nf
  for i = 1, n do
    local letter, L, W = ARGV[base], tonumber(ARGV[base + 1]), ARGV[base + 2]
    base = base + 3
    first_field[i] = f
    states[i] = rule_state(letter, L, W, stored[f] or nil, stored[f + 1] or nil, stored[f + 2] or nil)
    if letter == 'S' then f = f + 3 elseif letter == 'F' or letter == 'T' then f = f + 2 else f = f + 1 end
    never[i] = L == 0 or cost > L
    if never[i] or not states[i].admits(cost) then all_admit = false end
  end

  if all_admit then
    if mode == 'a' then
      local writes, ttl = {}, 0
      for i = 1, n do
        states[i].update(cost)
        local values = states[i].fields()
        for v = 1, #values do
          writes[#writes + 1] = ARGV[4 + first_field[i] + v - 1]
          writes[#writes + 1] = values[v]
        end
        ttl = max(ttl, states[i].reset())
      end
      if server then
        if not stored_origin then
          writes[#writes + 1] = 'o'
          writes[#writes + 1] = str(origin_us)
        end
        -- the key expires when its last state stops mattering; 'e' remembers that deadline so
        -- that the expiry is only ever extended (other rules of the key may need longer)
        local deadline_ms = ceildiv(add(abs, ttl), 1000000)
        local expires = stored[2] and parse(stored[2]) or nil
        local extend = expires == nil or cmp(deadline_ms, expires) > 0
        if extend then
          writes[#writes + 1] = 'e'
          writes[#writes + 1] = str(deadline_ms)
        end
        redis.call('HSET', key, unpack(writes))
        if extend then redis.call('PEXPIREAT', key, str(deadline_ms)) end
      else
        redis.call('HSET', key, unpack(writes))
        local ttl_ms = max(ceildiv(ttl, 1000000), tonumber(ARGV[4]))
        if cmp(redis.call('PTTL', key), ttl_ms) < 0 then
          redis.call('PEXPIRE', key, str(ttl_ms))
        end
      end
    end
    local best, best_remaining = 1, states[1].remaining()
    for i = 2, n do
      local r = states[i].remaining()
      if cmp(r, best_remaining) < 0 then best, best_remaining = i, r end
    end
    return { 1, best, to_reply(best_remaining), 0, to_reply(states[best].reset()) }
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
  return { 0, worst, to_reply(states[worst].remaining()), to_reply(worst_wait), to_reply(states[worst].reset()) }
end

return exact_decide()
