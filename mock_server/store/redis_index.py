"""The list indexes of the Redis store: its keys, the Lua that keeps them inside the record's own write script,
and the `find` script.

| key | type | what |
|---|---|---|
| `<prefix>i:<space>` | sorted set (scores 0: ordered by member) | `order \\0 key` of every record: the list order |
| `<prefix>t:<space>:<term>` | sorted set | the same members, of the records that have `term` |
| `<prefix>e:<space>` | hash | key -> `order \\0 term \\0 term …`: what to remove when the record changes |
| `<prefix>s:<space>` | hash | key -> the search texts joined by `\\0` |

An order string holds no `\\0` (a term is JSON, so it holds none either), so a member is cut at its first
`\\0`; members compare as `(order, key)` tuples do. A record written before its family's index was defined is
found by `find` (the entries hash is shorter than the records hash) and indexed then (`REINDEX`).
"""

from __future__ import annotations

from mock_server.store.query import Entry, Query

SEPARATOR = "\x00"
ROWS = 10**12  # more rows than any list holds, and few enough digits for Lua to print as an integer

# Lua: a NUL-separated string split into its parts (the index entries' fields).
SPLIT0 = r"""
local function split0(s)
  local out, i = {}, 1
  while true do
    local j = string.find(s, '\0', i, true)
    if not j then out[#out + 1] = string.sub(s, i); return out end
    out[#out + 1] = string.sub(s, i, j - 1)
    i = j + 1
  end
end
"""

# Lua shared by every script that writes a record. IX: the index keys {order, entries, texts, term prefix}.
FUNCTIONS = SPLIT0 + r"""
local function unindex(ix, key)
  local old = redis.call('HGET', ix[2], key)
  if not old then return end
  local parts = split0(old)
  local member = parts[1] .. '\0' .. key
  redis.call('ZREM', ix[1], member)
  for n = 2, #parts do redis.call('ZREM', ix[4] .. parts[n], member) end
  redis.call('HDEL', ix[2], key)
  redis.call('HDEL', ix[3], key)
end
-- args: order, text, term… from position `first` of ARGV
local function index(ix, key, first)
  local terms = {}
  for n = first + 2, #ARGV do terms[#terms + 1] = ARGV[n] end
  local entry = ARGV[first]
  if #terms > 0 then entry = entry .. '\0' .. table.concat(terms, '\0') end
  if redis.call('HGET', ix[2], key) == entry and redis.call('HGET', ix[3], key) == ARGV[first + 1] then return end
  unindex(ix, key)
  local member = ARGV[first] .. '\0' .. key
  redis.call('ZADD', ix[1], 0, member)
  for _, name in ipairs(terms) do redis.call('ZADD', ix[4] .. name, 0, member) end
  redis.call('HSET', ix[2], key, entry)
  redis.call('HSET', ix[3], key, ARGV[first + 1])
end
"""

# KEYS: records hash, order, entries, texts. ARGV: term prefix, key, value, order, text, term…
# Indexes the record when it still holds `value` (a record found unindexed by `find`).
REINDEX = FUNCTIONS + r"""
if redis.call('HGET', KEYS[1], ARGV[2]) ~= ARGV[3] then return 0 end
index({KEYS[2], KEYS[3], KEYS[4], ARGV[1]}, ARGV[2], 4)
return 1
"""

# KEYS: records hash, order, entries, texts. ARGV: term prefix, descending ('1'/'0'), offset, limit (-1: all),
# count ('1'/'0'), search ('' none), then the groups: for each, its number of terms and the terms.
# Returns {total or -1, whether the index is complete (1/0), value…}.
FIND = SPLIT0 + r"""
if redis.call('HLEN', KEYS[1]) ~= redis.call('HLEN', KEYS[3]) then return {-1, 0} end
local prefix, descending, offset, limit = ARGV[1], ARGV[2] == '1', tonumber(ARGV[3]), tonumber(ARGV[4])
local counting, needle = ARGV[5] == '1', ARGV[6]
if offset >= redis.call('HLEN', KEYS[1]) and not counting then return {-1, 1} end  -- past any list
local groups, n = {}, 7
while n <= #ARGV do
  local size = tonumber(ARGV[n])
  local group, cards = {}, 0
  for m = n + 1, n + size do
    group[#group + 1] = ARGV[m]
    cards = cards + redis.call('ZCARD', prefix .. ARGV[m])
  end
  groups[#groups + 1] = {terms = group, cards = cards}
  n = n + size + 1
end
-- the candidates: every record, or the records of the smallest group (merged into a scratch set if several)
local driver, scratch, smallest = KEYS[2], nil, nil
for g, group in ipairs(groups) do
  if not smallest or group.cards < groups[smallest].cards then smallest = g end
end
if smallest then
  local terms = groups[smallest].terms
  if #terms == 0 then
    driver = KEYS[2] .. '\0none'  -- never written: a group of no terms matches nothing
  elseif #terms == 1 then
    driver = prefix .. terms[1]
  else
    scratch = KEYS[2] .. '\0scratch'
    local keys = {}
    for _, name in ipairs(terms) do keys[#keys + 1] = prefix .. name end
    redis.call('ZUNIONSTORE', scratch, #keys, unpack(keys))
    driver = scratch
  end
  table.remove(groups, smallest)
end
local function key_of(member) return string.sub(member, string.find(member, '\0', 1, true) + 1) end
local function passes(key)
  if #groups > 0 then
    local held = {}
    local parts = split0(redis.call('HGET', KEYS[3], key))
    for p = 2, #parts do held[parts[p]] = true end
    for _, group in ipairs(groups) do
      local any = false
      for _, name in ipairs(group.terms) do if held[name] then any = true; break end end
      if not any then return false end
    end
  end
  if needle == '' then return true end
  local text = redis.call('HGET', KEYS[4], key)
  return text ~= false and string.find(text, needle, 1, true) ~= nil
end
local range = descending and 'ZREVRANGE' or 'ZRANGE'
local keys, total = {}, -1
if #groups == 0 and needle == '' then
  local stop = limit < 0 and -1 or offset + limit - 1
  if limit ~= 0 then
    for _, member in ipairs(redis.call(range, driver, offset, stop)) do keys[#keys + 1] = key_of(member) end
  end
  if counting then total = redis.call('ZCARD', driver) end
else
  local seen, start, chunk = 0, 0, 500
  local stop_at = limit >= 0 and offset + limit or nil
  while true do
    local members = redis.call(range, driver, start, start + chunk - 1)
    for _, member in ipairs(members) do
      local key = key_of(member)
      if passes(key) then
        if seen >= offset and (not stop_at or seen < stop_at) then keys[#keys + 1] = key end
        seen = seen + 1
      end
    end
    if #members < chunk or (stop_at and seen >= stop_at and not counting) then break end
    start = start + chunk
  end
  if counting then total = seen end
end
if scratch then redis.call('DEL', scratch) end
local out = {total, 1}
if #keys > 0 then
  for _, value in ipairs(redis.call('HMGET', KEYS[1], unpack(keys))) do out[#out + 1] = value end
end
return out
"""


def keys(prefix: str, space: str) -> list[str]:
    """The order, entries and texts keys of a space's index."""
    return [f"{prefix}i:{space}", f"{prefix}e:{space}", f"{prefix}s:{space}"]


def term_prefix(prefix: str, space: str) -> str:
    return f"{prefix}t:{space}:"


def entry_args(entry: Entry) -> list[str]:
    """An entry as script arguments: order, text (joined), terms."""
    if SEPARATOR in entry.order:
        raise ValueError(f"an index order string holds no NUL: {entry.order!r}")
    return [entry.order, SEPARATOR.join(entry.text), *sorted(entry.terms)]


def query_args(query: Query) -> list[str | int]:
    """A query as `FIND`'s arguments after the term prefix."""
    limit = -1 if query.limit is None else min(query.limit, ROWS)
    args: list[str | int] = ["1" if query.descending else "0", min(query.offset, ROWS), limit,
                             "1" if query.count else "0", query.search]
    for group in query.where:
        args += [len(group), *sorted(group)]
    return args
