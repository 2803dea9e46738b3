"""The list indexes of the Redis store: its keys, the Lua that keeps them inside the record's own write script,
and the `find` script.

| key | type | what |
|---|---|---|
| `<prefix>i:<space>` | sorted set (scores 0: ordered by member) | `order \\0 key` of every record: the list order |
| `<prefix>t:<space>:<term>` | sorted set | the same members, of the records that have `term` |
| `<prefix>e:<space>` | hash | key -> `order \\0 \\1also … \\0 term \\0 term …`: what to remove when it changes |
| `<prefix>s:<space>` | hash | key -> the search texts joined by `\\0` |

A family with other list orders (`Entry.also`, `Query.sort` n) has the same sorted sets once more per order,
named with the suffix `\\0<n>` (`suffix`), whose members are `also[n-1] \\0 key`.

An order string holds no `\\0` (a term holds none either, and never starts with `\\1`), so a member is cut at
its first `\\0`; members compare as `(order, key)` tuples do, and a keyset cursor is a rank (`ZLEXCOUNT`).
A record written before its family's index was defined is found by `find` (the entries hash is shorter than
the records hash) and indexed then (`REINDEX`).
"""

from __future__ import annotations

from mock_server.store.query import Entry, Query

__all__ = ["entry_args", "keys", "query_args", "suffix", "term_prefix"]

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
local function suffix(sort) if sort == 0 then return '' end return '\0' .. sort end
-- a record's members: in every order, in the order's set and in the set of each of its terms
local function members(ix, key, places, terms, command)
  for s, place in ipairs(places) do
    local member, tail = place .. '\0' .. key, suffix(s - 1)
    if command == 'ZADD' then
      redis.call('ZADD', ix[1] .. tail, 0, member)
      for _, name in ipairs(terms) do redis.call('ZADD', ix[4] .. name .. tail, 0, member) end
    else
      redis.call('ZREM', ix[1] .. tail, member)
      for _, name in ipairs(terms) do redis.call('ZREM', ix[4] .. name .. tail, member) end
    end
  end
end
local function unindex(ix, key)
  local old = redis.call('HGET', ix[2], key)
  if not old then return end
  local parts = split0(old)
  local places, terms = {parts[1]}, {}
  for n = 2, #parts do
    if string.byte(parts[n], 1) == 1 then places[#places + 1] = string.sub(parts[n], 2)
    else terms[#terms + 1] = parts[n] end
  end
  members(ix, key, places, terms, 'ZREM')
  redis.call('HDEL', ix[2], key)
  redis.call('HDEL', ix[3], key)
end
-- args: order, text, number of other orders, the other orders, term… from position `first` of ARGV
local function index(ix, key, first)
  local places, others = {ARGV[first]}, tonumber(ARGV[first + 2])
  for m = 1, others do places[#places + 1] = ARGV[first + 2 + m] end
  local terms = {}
  for n = first + 3 + others, #ARGV do terms[#terms + 1] = ARGV[n] end
  local entry = ARGV[first]
  for s = 2, #places do entry = entry .. '\0\1' .. places[s] end
  if #terms > 0 then entry = entry .. '\0' .. table.concat(terms, '\0') end
  if redis.call('HGET', ix[2], key) == entry and redis.call('HGET', ix[3], key) == ARGV[first + 1] then return end
  unindex(ix, key)
  members(ix, key, places, terms, 'ZADD')
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

# KEYS: records hash, the sort's order, entries, texts. ARGV: term prefix, the sort's suffix, descending ('1'/'0'),
# offset, limit (-1: all), count ('1'/'0'), search ('' none), cursor ('' none, else '>' and the order string),
# then the groups: for each, its number of terms and the terms.
# Returns {total or -1, whether the index is complete (1/0), value…}.
FIND = SPLIT0 + r"""
if redis.call('HLEN', KEYS[1]) ~= redis.call('HLEN', KEYS[3]) then return {-1, 0} end
local prefix, tail, descending = ARGV[1], ARGV[2], ARGV[3] == '1'
local offset, limit, counting, needle, cursor = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6] == '1', ARGV[7], ARGV[8]
if offset >= redis.call('HLEN', KEYS[1]) and not counting then return {-1, 1} end  -- past any list
local groups, n = {}, 9
while n <= #ARGV do
  local size = tonumber(ARGV[n])
  local group, cards = {}, 0
  for m = n + 1, n + size do
    group[#group + 1] = ARGV[m] .. tail
    cards = cards + redis.call('ZCARD', prefix .. group[#group])
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
    for p = 2, #parts do held[parts[p] .. tail] = true end
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
-- the records after the cursor: the ranks from `base` on, in the list's direction
local base = 0
if cursor ~= '' then
  local after = string.sub(cursor, 2)
  if descending then  -- the members before `after \0`: the orders smaller than the cursor's
    base = redis.call('ZCARD', driver) - redis.call('ZLEXCOUNT', driver, '-', '(' .. after .. '\0')
  else  -- the members before `after \1`: the orders up to the cursor's
    base = redis.call('ZLEXCOUNT', driver, '-', '(' .. after .. '\1')
  end
end
local range = descending and 'ZREVRANGE' or 'ZRANGE'
local keys, total = {}, -1
if #groups == 0 and needle == '' then
  local stop = limit < 0 and -1 or base + offset + limit - 1
  if limit ~= 0 then
    for _, member in ipairs(redis.call(range, driver, base + offset, stop)) do keys[#keys + 1] = key_of(member) end
  end
  if counting then total = redis.call('ZCARD', driver) - base end
else
  local seen, start, chunk = 0, base, 500
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


def suffix(sort: int) -> str:
    """The suffix of the sorted sets of list order `sort` (as the Lua `suffix`)."""
    return f"{SEPARATOR}{sort}" if sort else ""


def keys(prefix: str, space: str, sort: int = 0) -> list[str]:
    """The order (of list order `sort`), entries and texts keys of a space's index."""
    return [f"{prefix}i:{space}{suffix(sort)}", f"{prefix}e:{space}", f"{prefix}s:{space}"]


def term_prefix(prefix: str, space: str) -> str:
    return f"{prefix}t:{space}:"


def entry_args(entry: Entry) -> list[str]:
    """An entry as script arguments: order, text (joined), the number of other orders, those, the terms."""
    for place in (entry.order, *entry.also):
        if SEPARATOR in place:
            raise ValueError(f"an index order string holds no NUL: {place!r}")
    return [entry.order, SEPARATOR.join(entry.text), str(len(entry.also)), *entry.also, *sorted(entry.terms)]


def query_args(query: Query) -> list[str | int]:
    """A query as `FIND`'s arguments after the term prefix."""
    limit = -1 if query.limit is None else min(query.limit, ROWS)
    cursor = "" if query.after is None else ">" + query.after
    args: list[str | int] = [suffix(query.sort), "1" if query.descending else "0", min(query.offset, ROWS), limit,
                             "1" if query.count else "0", query.search, cursor]
    for group in query.where:
        args += [len(group), *sorted(group)]
    return args
