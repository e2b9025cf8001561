-- Test entry point for exact.lua: ARGV = op, a, b (decimal strings); replies the result as strings.
local X = exact_arithmetic()
local op, a, b = ARGV[1], X.parse(ARGV[2]), X.parse(ARGV[3])
if op == 'add' then return { X.str(X.add(a, b)) } end
if op == 'sub' then return { X.str(X.sub(a, b)) } end
if op == 'mul' then return { X.str(X.mul(a, b)) } end
if op == 'cmp' then return { tostring(X.cmp(a, b)) } end
if op == 'divmod' then
  local q, r = X.divmod(a, b)
  return { X.str(q), X.str(r) }
end
if op == 'roundtrip' then return { X.str(a) } end
return redis.error_reply('unknown op ' .. op)
