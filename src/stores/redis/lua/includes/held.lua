-- The row a holder presents, parsed (includes/row.lua), when its claim token still holds;
-- else nil. Needs keys, row.
local function held(base, mtype, eventId, token)
  local r = getRow(base, rowId(mtype, eventId))
  if not r or r.S ~= 'I' or r.ct ~= token then return nil end
  return r
end
