-- Driver of a batch of decisions (appended to limit_decide.lua): the decisions are taken one after
-- the other, in order, inside this one atomic call, each exactly as limit.lua would take it alone
-- (a later request sees what an earlier one recorded, also on the same key); server time is read
-- once for the whole batch.
--
-- KEYS[j]   the key of request j (keys may repeat)
-- ARGV[1]   m, the number of requests
-- then the arguments of each request in turn, laid out as for limit.lua (6 + nf + 3n of them)
--
-- Reply: 5 values per request, in order: decide's reply, or 'exact', 0, 0, 0, 0 when the exact
-- script must decide that request (the client then runs it for that request alone), or 'error',
-- <message>, 0, 0, 0 when deciding it raised an error (say WRONGTYPE, a key that is not a hash):
-- that request fails as it would alone, and the others of the batch are still decided. (As in any
-- script, a write made before an error stays.)
local m = ARGV[1] + 0
local now_us
if ARGV[4] == '' then
  local time = redis.call('TIME')
  now_us = time[1] * 1000000 + time[2]
end
local out, no = {}, 0
local a = 1
for j = 1, m do
  local ok, r = pcall(decide, KEYS[j], a, now_us)
  if not ok then
    if type(r) == 'table' then r = r.err end  -- an error reply of redis.call
    out[no + 1], out[no + 2], out[no + 3], out[no + 4], out[no + 5] = 'error', tostring(r), 0, 0, 0
  elseif r[1] == 'exact' then
    out[no + 1], out[no + 2], out[no + 3], out[no + 4], out[no + 5] = 'exact', 0, 0, 0, 0
  else
    out[no + 1], out[no + 2], out[no + 3], out[no + 4], out[no + 5] = r[1], r[2], r[3], r[4], r[5]
  end
  no = no + 5
  a = a + 6 + ARGV[a + 6] + 3 * ARGV[a + 5]
end
return out
