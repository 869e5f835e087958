-- Key layout of one partition. `base` is the partition's hash tag, `{<keyPrefix>:<n>}`, so
-- every key below lives in the partition's slot. A row id is `<MESSAGE_TYPE>:<EVENT_ID>`
-- (message type names never contain ':').
local function baseOf(key) return string.match(key, '^({[^}]*})') end
local function rowId(mtype, eventId) return mtype .. ':' .. eventId end
local function readyKey(base, tbl, mtype) return base .. ':q:' .. tbl .. ':' .. mtype end
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
