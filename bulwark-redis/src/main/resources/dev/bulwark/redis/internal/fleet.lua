-- Fleet breaker signals: what one instance of a fleet tells the others about one circuit breaker,
-- and what it learns from them, in one atomic call. Every key of a fleet carries the fleet's name as
-- its hash tag, so on a Redis Cluster they share one slot. Time is the server's (TIME, in ms).
--
-- KEYS[1]  alive: zset instance -> time of its last call (a heartbeat; every call is one)
-- KEYS[2]  opens: zset instance -> time it opened on its own (tripped), for this breaker
-- KEYS[3]  lease: string, the instance that holds the fleet's trial lease for this breaker
-- KEYS[4]  recovered: string, time of the last recovery announced by a lease holder
-- ARGV[1]  op: 'sync' (heartbeat, and ARGV[6] says whether this instance is open on its own),
--          'trip' (opened on its own: report it, take the lease if free, publish 'open'),
--          'take' (take the lease if free), 'close' (closed: withdraw the report; a lease holder
--          releases the lease, records the recovery and publishes 'recovered', others publish
--          'closed'), 'leave' (the instance stops: withdraw everything)
-- ARGV[2]  instance id;  ARGV[3] ms after its last call that an instance counts as gone
-- ARGV[4]  the quorum window in ms;  ARGV[5] the lease's time to live in ms
-- ARGV[6]  '1' when open on its own (sync);  ARGV[7] the channel;  ARGV[8] the breaker's name
--
-- Reply: { now ms, live instances, open reports since the last recovery, of those the ones newer
--          than the window, lease holder or '', time of the last recovery or 0 }

local time = redis.call('TIME')
local now = time[1] * 1000 + math.floor(time[2] / 1000)
local op, me = ARGV[1], ARGV[2]
local alive_ttl, within, lease_ttl = ARGV[3] + 0, ARGV[4] + 0, ARGV[5] + 0
local keep = 3 * alive_ttl + within   -- the keys of a fleet that has gone away expire after this

if op == 'leave' then
  redis.call('ZREM', KEYS[1], me)
  redis.call('ZREM', KEYS[2], me)
  if redis.call('GET', KEYS[3]) == me then redis.call('DEL', KEYS[3]) end
  return { now, 0, 0, 0, '', 0 }
end

redis.call('ZADD', KEYS[1], now, me)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - alive_ttl))
redis.call('PEXPIRE', KEYS[1], keep)

local holder = redis.call('GET', KEYS[3])
if op == 'trip' then
  redis.call('ZADD', KEYS[2], now, me)
  if not holder then
    redis.call('SET', KEYS[3], me, 'PX', lease_ttl)
    holder = me
  elseif holder == me then
    redis.call('PEXPIRE', KEYS[3], lease_ttl)
  end
  redis.call('PUBLISH', ARGV[7], 'open\t' .. ARGV[8] .. '\t' .. me)
elseif op == 'sync' then
  if ARGV[6] == '1' then
    if redis.call('ZADD', KEYS[2], 'NX', now, me) == 1 then   -- an opening not reported before (its trip call failed)
      redis.call('PUBLISH', ARGV[7], 'open\t' .. ARGV[8] .. '\t' .. me)
    end
    if holder == me then redis.call('PEXPIRE', KEYS[3], lease_ttl) end
  else
    redis.call('ZREM', KEYS[2], me)
  end
elseif op == 'take' then
  if not holder then
    redis.call('SET', KEYS[3], me, 'PX', lease_ttl)
    holder = me
  end
elseif op == 'close' then
  redis.call('ZREM', KEYS[2], me)
  if holder == me then
    redis.call('DEL', KEYS[3])
    holder = false
    redis.call('SET', KEYS[4], now, 'PX', keep)
    redis.call('PUBLISH', ARGV[7], 'recovered\t' .. ARGV[8] .. '\t' .. me)
  else
    redis.call('PUBLISH', ARGV[7], 'closed\t' .. ARGV[8] .. '\t' .. me)
  end
end

-- an instance that stopped calling is gone: its open report no longer counts
local opens = redis.call('ZRANGE', KEYS[2], 0, -1)
for i = 1, #opens do
  if not redis.call('ZSCORE', KEYS[1], opens[i]) then redis.call('ZREM', KEYS[2], opens[i]) end
end
redis.call('PEXPIRE', KEYS[2], keep)
-- openings before the last recovery are over, whatever their instances have not yet withdrawn
local recovered = redis.call('GET', KEYS[4])
recovered = recovered and recovered + 0 or 0
local recent_from = now - within
if recent_from <= recovered then recent_from = recovered + 1 end
return { now, redis.call('ZCARD', KEYS[1]), redis.call('ZCOUNT', KEYS[2], recovered + 1, '+inf'),
         redis.call('ZCOUNT', KEYS[2], recent_from, '+inf'), holder or '', recovered }
