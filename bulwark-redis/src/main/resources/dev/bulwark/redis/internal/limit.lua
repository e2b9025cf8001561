-- Driver of one decision (appended to limit_decide.lua): KEYS[1] and ARGV as described there
-- (at = 0); the reply is decide's.
local now_us
if ARGV[3] == '' then
  local time = redis.call('TIME')
  now_us = time[1] * 1000000 + time[2]
end
return decide(KEYS[1], 0, now_us)
