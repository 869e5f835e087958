-- Key layout of one partition. `base` is the partition's hash tag, `{<keyPrefix>:<n>}`, so
-- every key below lives in the partition's slot. A row id is `<MESSAGE_TYPE>:<EVENT_ID>`
-- (message type names never contain ':').
local function baseOf(key) return string.match(key, '^({[^}]*})') end
local function rowId(mtype, eventId) return mtype .. ':' .. eventId end
local function readyKey(base, tbl, mtype) return base .. ':q:' .. tbl .. ':' .. mtype end
-- The first member of every ready index and lease index: longer than
-- `zset-max-listpack-value` (64 bytes by default), it makes Redis create the index as a
-- skiplist, and being never removed (score +inf: never due, no lease expires then) keeps it
-- one. A small sorted set is otherwise a listpack, where one ZADD or ZREM of n members into a
-- set of m scans and moves O(n × m) entries; a skiplist costs O(log m) per member. Readers
-- take members by score up to now, never whole (a group's queue, whose emptiness counts, has
-- none).
local INDEX_ANCHOR = '#anchor: a member longer than zset-max-listpack-value keeps this index a skiplist, ' ..
  'where batched ZADD and ZREM cost O(log n) per member'
local function splitRowId(id)
  local at = string.find(id, ':', 1, true)
  return string.sub(id, 1, at - 1), string.sub(id, at + 1)
end
-- t[k], a new empty table put there first when there is none.
local function tableAt(t, k)
  local v = t[k]
  if not v then
    v = {}
    t[k] = v
  end
  return v
end
