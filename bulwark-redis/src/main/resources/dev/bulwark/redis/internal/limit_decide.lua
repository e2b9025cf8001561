-- Bulwark rate-limit decisions on Redis: every rule of one key checked, and recorded only if all
-- admit, in one atomic call, with the exact integer-nanosecond semantics specified on
-- dev.bulwark.ratelimit.LimitStore. This script is the fast path, on plain doubles, for acquire
-- and peek. Whenever a magnitude could leave the range where doubles are exact it writes nothing
-- and replies {'exact'}: the client then runs the exact script (exact.lua + limit_exact.lua), which
-- decides from scratch on multi-limb integers. The client sends rules that are large by
-- construction (limit x window or window of 2^51 ns or more, and in server time windows that are
-- not whole microseconds) to the exact script directly.
--
-- This file defines decide(key, at, now_us), one decision; it is never run alone. The client
-- appends a driver: limit.lua (one decision per call) or limit_batch.lua (a batch of decisions,
-- one after the other in one atomic call). decide is the only closure the script creates: in Redis
-- every function value costs about a microsecond per call, so nothing is created per decision.
--
-- Arguments of one decision, at ARGV[at + 1 ...] (a = 0 for the single driver); now_us is the
-- server's TIME in microseconds read once by the driver, or nil in client time.
--
-- key            the hash holding the state of every rule of (entityId, operation)
-- +1             mode: 'a' acquire, 'p' peek (cost 1, records nothing); the exact script also
--                takes 'r' reset and 'i' inspect
-- +2             cost, an integer >= 1
-- +3             now in nanoseconds (client time, for tests), or '' for the server's TIME
-- +4             client time only: the least TTL of the key in milliseconds
-- +5             n, the number of rules
-- +6             nf, the number of state fields that follow
-- +7..+6+nf      the state fields of each rule in order: <letter><limit>:<window>:a|b|c, two for
--                F and T, three for S, one for G and L (the hash also holds 'o', the key's time
--                origin, and 'e', its expiry deadline)
-- then 3 per rule: algorithm letter (F S T G L), limit, window in ns
--
-- Time. With client time, t is the client's nanoseconds. With server time, t is the nanoseconds
-- since the key's origin (field 'o', in microseconds of TIME, set when the key is created): the
-- numbers stay small, so plain doubles stay exact. Aligned windows use absolute time either way.
-- Once a key is older than 2^48 ns (about 3 days) an acquire goes to the exact script, which moves
-- the origin forward (rebases) so that later calls are fast again.
--
-- Reply for 'a' and 'p': {allowed 0|1, deciding rule (1-based), remaining, retry_after (-1 for
-- never), reset_after}, integers (the exact script replies decimal strings for values above 2^53),
-- or {'exact'} when the exact script must decide instead.

local LIMIT = 2251799813685248  -- 2^51: sums of a few values below it stay below 2^53, exact
local REBASE = 281474976710656  -- 2^48

local function decide(key, at, now_us)
  local mode = ARGV[at + 1]
  -- Strings are converted with s + 0 rather than tonumber(s), which parses every string twice in
  -- Lua 5.1; a field missing from the hash (false) stays false.
  local cost = ARGV[at + 2] + 0
  local n = ARGV[at + 5] + 0
  local nf = ARGV[at + 6] + 0
  local record = mode == 'a'
  local stored = redis.call('HMGET', key, 'o', 'e', unpack(ARGV, at + 7, at + 6 + nf))  -- rule fields from stored[3]

  local server = now_us ~= nil
  local t, abs_us, origin_us
  if server then
    abs_us = now_us
    origin_us = stored[1] and stored[1] + 0 or abs_us
    t = (abs_us - origin_us) * 1000
  else
    t = ARGV[at + 3] + 0
  end
  if t >= LIMIT or t <= -LIMIT or (server and record and t >= REBASE) then return { 'exact' } end

  -- Divisions below are written out as floor(x / y) = (x - fmod(x, y)) / y and its ceiling, for
  -- x >= 0 and y > 0: fmod is exact, so both are exact below 2^53.
  local fmod = math.fmod
  -- Values are written as decimal integers with fmt('%d', x): Redis would otherwise format every
  -- number argument with '%.17g', which costs several times more (the strings are the same, since
  -- every value written is an integer below 2^53).
  local fmt = string.format

  local writes, nw = {}, 0  -- HSET arguments: only the fields whose value changes
  local ttl = 0
  local all_admit = true
  local best, best_rem, best_reset
  local worst, worst_wait, worst_rem, worst_reset
  local f = 3
  local base = at + 7 + nf
  for i = 1, n do
    local letter, L, W = ARGV[base], ARGV[base + 1] + 0, ARGV[base + 2] + 0
    base = base + 3
    if W >= LIMIT or L * W >= LIMIT then return { 'exact' } end
    local never = L == 0 or cost > L
    local ok, rem, wait, reset

    if letter == 'F' or letter == 'S' then
      -- aligned window index i0 and elapsed e
      local i0, e
      if server then
        if fmod(W, 1000) ~= 0 then return { 'exact' } end
        local w = W / 1000
        local r = fmod(abs_us, w)
        i0, e = (abs_us - r) / w, r * 1000
      else
        local r = fmod(t, W)
        if r < 0 then r = r + W end
        i0, e = (t - r) / W, r
      end
      local a = stored[f] and stored[f] + 0
      if a and (a >= LIMIT or a <= -LIMIT) then return { 'exact' } end
      local idx = i0
      if letter == 'F' then
        local cnt = 0
        if a == i0 then
          cnt = stored[f + 1] + 0
        elseif a and a > i0 then  -- the clock read is older than the state: use the state's window
          idx, cnt, e = a, stored[f + 1] + 0, 0
        end
        if never then
          ok, wait = false, -1
        elseif cnt + cost <= L then
          ok = true
          if record then
            cnt = cnt + cost
            if a ~= idx then
              writes[nw + 1], writes[nw + 2], nw = ARGV[at + 4 + f], fmt('%d', idx), nw + 2
            end
            writes[nw + 1], writes[nw + 2], nw = ARGV[at + 5 + f], fmt('%d', cnt), nw + 2
          end
        else
          ok, wait = false, W - e
        end
        rem = L - cnt
        reset = 0
        if cnt > 0 then reset = W - e end
        f = f + 2
      else
        local p, cnt = 0, 0
        if a == i0 then
          p, cnt = stored[f + 1] + 0, stored[f + 2] + 0
        elseif a and a > i0 then
          idx, p, cnt, e = a, stored[f + 1] + 0, stored[f + 2] + 0, 0
        elseif a == i0 - 1 then
          p = stored[f + 2] + 0
        end
        local est = cnt
        if p > 0 then
          local pe = p * e
          est = cnt + p - (pe - fmod(pe, W)) / W
        end
        if never then
          ok, wait = false, -1
        elseif est + cost <= L then
          ok = true
          if record then
            cnt = cnt + cost
            est = est + cost
            if a ~= idx then  -- same window: the previous count is what is stored
              writes[nw + 1], writes[nw + 2], writes[nw + 3], writes[nw + 4] = ARGV[at + 4 + f], fmt('%d', idx), ARGV[at + 5 + f], fmt('%d', p)
              nw = nw + 4
            end
            writes[nw + 1], writes[nw + 2], nw = ARGV[at + 6 + f], fmt('%d', cnt), nw + 2
          end
        else
          ok = false
          local k = L - cnt - cost
          local e1 = W
          if k >= 0 then
            local kw = k * W
            e1 = W - (kw - fmod(kw, p)) / p
          end
          if e1 < W then
            wait = e1 - e
          else
            local d0 = W - e
            local k2 = L - cost
            if cnt <= k2 then
              wait = d0
            else
              local kw = k2 * W
              local e2 = W - (kw - fmod(kw, cnt)) / cnt
              if e2 < W then wait = d0 + e2 else wait = d0 + W end
            end
          end
        end
        rem = L - est
        if rem < 0 then rem = 0 end
        if cnt > 0 then reset = 2 * W - e elseif p > 0 then reset = W - e else reset = 0 end
        f = f + 3
      end

    elseif letter == 'T' then
      -- V = vn + vf / L, the virtual time at which the bucket was empty
      local vn = stored[f] and stored[f] + 0
      if vn and (vn >= LIMIT or vn <= -LIMIT) then return { 'exact' } end
      local stored_vf = stored[f + 1] and stored[f + 1] + 0
      local vf = stored_vf or 0
      local full = (not vn) or (t - vn > W) or (t - vn == W and vf == 0)
      local tok
      if full then
        tok = L
      elseif t <= vn then
        tok = 0
      else
        local x = (t - vn) * L - vf
        tok = (x - fmod(x, W)) / W
        if tok > L then tok = L end
      end
      if never then
        ok, wait = false, -1
      elseif tok >= cost then
        ok = true
        if record then
          local stored_vn = vn
          if full then vn, vf = t - W, 0 end
          local cw = cost * W
          local r = fmod(cw, L)
          vf = vf + r
          vn = vn + (cw - r) / L
          if vf >= L then
            vf = vf - L
            vn = vn + 1
          end
          if t <= vn then
            tok = 0
          else
            local x = (t - vn) * L - vf
            tok = (x - fmod(x, W)) / W
            if tok > L then tok = L end
          end
          if vn ~= stored_vn then
            writes[nw + 1], writes[nw + 2], nw = ARGV[at + 4 + f], fmt('%d', vn), nw + 2
          end
          if vf ~= stored_vf then
            writes[nw + 1], writes[nw + 2], nw = ARGV[at + 5 + f], fmt('%d', vf), nw + 2
          end
        end
      else
        ok = false
        local cw = cost * W
        local r = fmod(cw, L)
        local x = vf + r  -- ceil(x / L)
        local q = (x - fmod(x, L)) / L
        if fmod(x, L) ~= 0 then q = q + 1 end
        wait = vn - t + (cw - r) / L + q
      end
      rem = tok
      reset = 0
      if vn then
        reset = vn + W - t
        if vf > 0 then reset = reset + 1 end
        if reset < 0 then reset = 0 end
      end
      f = f + 2

    else
      -- G and L: the theoretical arrival time, emission interval T = ceil(W / L)
      local tat = stored[f] and stored[f] + 0
      if tat and (tat >= LIMIT or tat <= -LIMIT) then return { 'exact' } end
      if L == 0 then
        ok, wait, rem, reset = false, -1, 0, 0
      else
        local T = (W - fmod(W, L)) / L  -- ceil(W / L)
        if fmod(W, L) ~= 0 then T = T + 1 end
        local ahead = 0
        if tat and tat > t then ahead = tat - t end
        if letter == 'G' then
          if never then
            ok, wait = false, -1
          elseif ahead + cost * T <= L * T then
            ok = true
            if record then ahead = ahead + cost * T end
          else
            ok, wait = false, ahead + cost * T - L * T
          end
          rem = L - (ahead - fmod(ahead, T)) / T  -- L - ceil(ahead / T)
          if fmod(ahead, T) ~= 0 then rem = rem - 1 end
        else
          if never then
            ok, wait = false, -1
          elseif ahead == 0 then
            ok = true
            if record then ahead = cost * T end
          else
            ok, wait = false, ahead
          end
          rem = 0
          if ahead == 0 then rem = L end
        end
        if ok and record then
          writes[nw + 1], writes[nw + 2], nw = ARGV[at + 4 + f], fmt('%d', t + ahead), nw + 2
        end
        reset = ahead
      end
      f = f + 1
    end

    if ok then
      if best == nil or rem < best_rem then best, best_rem, best_reset = i, rem, reset end
      if reset > ttl then ttl = reset end
    else
      all_admit = false
      if worst == nil or (worst_wait ~= -1 and (wait == -1 or wait > worst_wait)) then
        worst, worst_wait, worst_rem, worst_reset = i, wait, rem, reset
      end
    end
  end

  if not all_admit then return { 0, worst, worst_rem, worst_wait, worst_reset } end

  if record then
    if server then
      if not stored[1] then
        writes[nw + 1], writes[nw + 2], nw = 'o', fmt('%d', origin_us), nw + 2
      end
      -- the key expires when its last state stops mattering; 'e' remembers that deadline (ms) so
      -- that the expiry is only ever extended (other rules of the key may need their state longer)
      local us = abs_us + (ttl - fmod(ttl, 1000)) / 1000  -- abs_us + ceil(ttl / 1000)
      if fmod(ttl, 1000) ~= 0 then us = us + 1 end
      local expires = stored[2] and stored[2] + 0
      local extend = not expires or us > expires * 1000  -- ceil(us / 1000) > expires
      if extend then
        local deadline_ms = (us - fmod(us, 1000)) / 1000
        if fmod(us, 1000) ~= 0 then deadline_ms = deadline_ms + 1 end
        deadline_ms = fmt('%d', deadline_ms)
        writes[nw + 1], writes[nw + 2], nw = 'e', deadline_ms, nw + 2
        redis.call('HSET', key, unpack(writes, 1, nw))
        redis.call('PEXPIREAT', key, deadline_ms)
      elseif nw > 0 then
        redis.call('HSET', key, unpack(writes, 1, nw))
      end
    else
      if nw > 0 then redis.call('HSET', key, unpack(writes, 1, nw)) end
      local ttl_ms = (ttl - fmod(ttl, 1000000)) / 1000000
      if fmod(ttl, 1000000) ~= 0 then ttl_ms = ttl_ms + 1 end
      local least = ARGV[at + 4] + 0
      if ttl_ms < least then ttl_ms = least end
      if redis.call('PTTL', key) < ttl_ms then redis.call('PEXPIRE', key, ttl_ms) end
    end
  end
  return { 1, best, best_rem, 0, best_reset }
end
