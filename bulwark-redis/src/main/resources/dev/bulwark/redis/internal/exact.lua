-- Exact integer arithmetic for Redis Lua, whose numbers are IEEE doubles (exact only below 2^53).
--
-- A value is either a Lua number that is an exact integer, or, when its magnitude reaches 2^53,
-- a table { m = little-endian limbs in base 2^24, neg = sign }. Every operation takes the fast path
-- on plain numbers whenever the exact result stays below 2^53 and falls back to limbs otherwise,
-- so typical rules cost no more than plain Lua arithmetic while products such as p x W (up to
-- 2^86 for a limit of 2^31 - 1 and a window of 366 days) stay exact. Values are stored in Redis and
-- returned to the client as decimal strings.
--
-- Everything is defined inside exact_arithmetic(), so that a call on the fast path (plain doubles)
-- does not pay for creating these functions.

local function exact_arithmetic()
  local B = 16777216             -- limb base, 2^24: a limb product is below 2^48
  local SAFE = 9007199254740992  -- 2^53
  local B2 = 281474976710656     -- 2^48

  -- limbs of a non-negative integer-valued number (any magnitude a double holds exactly)
  local function limbs(x)
    local m, i = {}, 1
    repeat
      local r = x % B
      m[i] = r
      x = (x - r) / B
      i = i + 1
    until x == 0
    return m
  end

  local function trim(m)
    local k = #m
    while k > 1 and m[k] == 0 do
      m[k] = nil
      k = k - 1
    end
    return m
  end

  -- a normalised value from limbs and a sign: a number below 2^53, a table otherwise
  local function make(m, neg)
    trim(m)
    local k = #m
    if k <= 2 or (k == 3 and m[3] < 32) then
      local v = m[1] + (m[2] or 0) * B + (m[3] or 0) * B2
      if v == 0 then return 0 end
      if neg then return -v end
      return v
    end
    return { m = m, neg = neg }
  end

  local function parts(v)
    if type(v) == 'number' then
      if v < 0 then return limbs(-v), true end
      return limbs(v), false
    end
    return v.m, v.neg
  end

  local function ucmp(a, b)
    if #a ~= #b then
      if #a < #b then return -1 end
      return 1
    end
    for i = #a, 1, -1 do
      if a[i] ~= b[i] then
        if a[i] < b[i] then return -1 end
        return 1
      end
    end
    return 0
  end

  local function uadd(a, b)
    local r, carry = {}, 0
    local n = #a
    if #b > n then n = #b end
    for i = 1, n do
      local s = (a[i] or 0) + (b[i] or 0) + carry
      if s >= B then
        r[i] = s - B
        carry = 1
      else
        r[i] = s
        carry = 0
      end
    end
    if carry > 0 then r[n + 1] = carry end
    return r
  end

  -- a - b for magnitudes with a >= b
  local function usub(a, b)
    local r, borrow = {}, 0
    for i = 1, #a do
      local s = a[i] - (b[i] or 0) - borrow
      if s < 0 then
        r[i] = s + B
        borrow = 1
      else
        r[i] = s
        borrow = 0
      end
    end
    return r
  end

  local function umul(a, b)
    local r = {}
    for i = 1, #a + #b do r[i] = 0 end
    for i = 1, #a do
      local ai, carry = a[i], 0
      if ai ~= 0 then
        for j = 1, #b do
          local cur = r[i + j - 1] + ai * b[j] + carry
          local lo = cur % B
          r[i + j - 1] = lo
          carry = (cur - lo) / B
        end
        local k = i + #b
        while carry > 0 do
          local cur = r[k] + carry
          local lo = cur % B
          r[k] = lo
          carry = (cur - lo) / B
          k = k + 1
        end
      end
    end
    return r
  end

  local X = {}

  function X.add(a, b)
    if type(a) == 'number' and type(b) == 'number' then
      local s = a + b
      if s < SAFE and s > -SAFE then return s end
    end
    local ma, na = parts(a)
    local mb, nb = parts(b)
    if na == nb then return make(uadd(ma, mb), na) end
    local c = ucmp(ma, mb)
    if c == 0 then return 0 end
    if c > 0 then return make(usub(ma, mb), na) end
    return make(usub(mb, ma), nb)
  end

  function X.neg(a)
    if type(a) == 'number' then return -a end
    return { m = a.m, neg = not a.neg }
  end

  function X.sub(a, b)
    return X.add(a, X.neg(b))
  end

  function X.mul(a, b)
    if type(a) == 'number' and type(b) == 'number' then
      local p = a * b
      if p < SAFE and p > -SAFE then return p end
    end
    local ma, na = parts(a)
    local mb, nb = parts(b)
    return make(umul(ma, mb), na ~= nb)
  end

  function X.cmp(a, b)
    if type(a) == 'number' and type(b) == 'number' then
      if a < b then return -1 elseif a > b then return 1 end
      return 0
    end
    local ma, na = parts(a)
    local mb, nb = parts(b)
    if na ~= nb then
      if na then return -1 end
      return 1
    end
    local c = ucmp(ma, mb)
    if na then return -c end
    return c
  end

  function X.max(a, b)
    if X.cmp(a, b) >= 0 then return a end
    return b
  end

  local function approx(a)
    if type(a) == 'number' then return a end
    local v = 0
    for i = #a.m, 1, -1 do v = v * B + a.m[i] end
    if a.neg then return -v end
    return v
  end

  -- floor division by b > 0: q = floor(a / b), r = a - q * b with 0 <= r < b
  function X.divmod(a, b)
    if type(a) == 'number' and type(b) == 'number' and a < SAFE and a > -SAFE and b < SAFE then
      local r = math.fmod(a, b)    -- exact, with the sign of a
      local q = (a - r) / b        -- exact: a - r is a multiple of b below 2^53
      if r < 0 then
        return q - 1, r + b
      end
      return q, r
    end
    -- estimate with doubles, then correct with exact arithmetic (two or three rounds at most)
    local q = math.floor(approx(a) / approx(b))
    local r = X.sub(a, X.mul(q, b))
    for _ = 1, 8 do
      if X.cmp(r, 0) >= 0 and X.cmp(r, b) < 0 then return q, r end
      local dq = math.floor(approx(r) / approx(b))
      if dq == 0 then dq = 1 end
      q = X.add(q, dq)
      r = X.sub(r, X.mul(dq, b))
    end
    return redis.error_reply('bulwark: division did not converge')
  end

  function X.floordiv(a, b)
    local q = X.divmod(a, b)
    return q
  end

  -- ceil(a / b) for b > 0
  function X.ceildiv(a, b)
    local q, r = X.divmod(a, b)
    if r ~= 0 then return X.add(q, 1) end
    return q
  end

  -- the value of a decimal string (optional leading '-')
  function X.parse(s)
    if #s <= 15 or string.find(s, '[e.]') then return tonumber(s) end
    local neg = string.sub(s, 1, 1) == '-'
    local digits = s
    if neg then digits = string.sub(s, 2) end
    local v = 0
    local first = #digits % 7
    if first == 0 then first = 7 end
    v = tonumber(string.sub(digits, 1, first))
    for i = first + 1, #digits, 7 do
      v = X.add(X.mul(v, 10000000), tonumber(string.sub(digits, i, i + 6)))
    end
    if neg then return X.neg(v) end
    return v
  end

  -- the decimal string of a value
  function X.str(a)
    if type(a) == 'number' then
      if a == 0 then return '0' end
      return string.format('%.0f', a)
    end
    local m = {}
    for i = 1, #a.m do m[i] = a.m[i] end
    local chunks = {}
    while #m > 0 do
      local rem = 0
      for i = #m, 1, -1 do
        local cur = rem * B + m[i]            -- below 10^7 * 2^24 < 2^53
        local q = math.floor(cur / 10000000)
        m[i] = q
        rem = cur - q * 10000000
      end
      while #m > 0 and m[#m] == 0 do m[#m] = nil end
      chunks[#chunks + 1] = rem
    end
    local out = { a.neg and '-' or '', string.format('%d', chunks[#chunks]) }
    for i = #chunks - 1, 1, -1 do out[#out + 1] = string.format('%07d', chunks[i]) end
    return table.concat(out)
  end
  return X
end
