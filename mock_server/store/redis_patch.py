"""The Redis store's `patch`: top-level fields of a record set in place by one Lua script.

The script walks the record's top-level members (a compact JSON object, as orjson writes every record) without
decoding their values, and writes the new values the caller encoded: a field present keeps its place, a new one
goes last, the same bytes `{**old, **fields}` gives in memory. One round trip, nothing to retry.
"""

from __future__ import annotations

__all__ = []

# KEYS: hash. ARGV: key, then pairs of a field's name and value, each JSON-encoded. Sets top-level fields of a
# record in place (a compact JSON object, as orjson writes it): a field present keeps its place, a new one goes
# last, exactly as `{**old, **fields}`. Returns the new value, or false when there is no record.
PATCH = """
local record = redis.call('HGET', KEYS[1], ARGV[1])
if not record then return false end
local function after_string(s, i)
  local j = i + 1
  while true do
    local k = string.find(s, '["\\\\]', j)
    if string.sub(s, k, k) == '"' then return k + 1 end
    j = k + 2
  end
end
local function after_value(s, i)
  local c = string.sub(s, i, i)
  if c == '"' then return after_string(s, i) end
  if c ~= '{' and c ~= '[' then return string.find(s, '[,}%]]', i) end
  local depth, j = 0, i
  while true do
    local k = string.find(s, '["{}%[%]]', j)
    local d = string.sub(s, k, k)
    if d == '"' then
      j = after_string(s, k)
    else
      depth = depth + ((d == '{' or d == '[') and 1 or -1)
      j = k + 1
      if depth == 0 then return j end
    end
  end
end
local wanted = {}
for n = 2, #ARGV, 2 do wanted[ARGV[n]] = ARGV[n + 1] end
local out, i = {}, 2
while string.sub(record, i, i) ~= '}' do
  local name_end = after_string(record, i)
  local name = string.sub(record, i, name_end - 1)
  local value_end = after_value(record, name_end + 1)
  local value = wanted[name]
  if value then wanted[name] = nil else value = string.sub(record, name_end + 1, value_end - 1) end
  out[#out + 1] = name .. ':' .. value
  i = value_end
  if string.sub(record, i, i) == ',' then i = i + 1 end
end
for n = 2, #ARGV, 2 do
  if wanted[ARGV[n]] then out[#out + 1] = ARGV[n] .. ':' .. ARGV[n + 1] end
end
local patched = '{' .. table.concat(out, ',') .. '}'
redis.call('HSET', KEYS[1], ARGV[1], patched)
return patched
"""
