-- Argo CD health check for dbmigrate.io/DatabaseMigration and dbmigrate.io/DatabaseMigrationSet (the same script
-- under both keys: a set's status has the same conditions and the phases Suspended and AwaitingGate too).
--
-- Argo CD runs this with `obj` set to the live resource and takes the returned table's status and message.
-- Without resource.customizations.useOpenLibs it opens only Lua's base and table libraries (no string library),
-- so this script uses nothing but `..`, tostring and tonumber.
--
--   no status (or the CRD's default, observedGeneration -1), or status.observedGeneration < metadata.generation
--   -> Progressing (the operator has not seen the spec)
--   Stalled=True                                                  -> Degraded (a human must act)
--   Ready=True                                                    -> Healthy (the database is at the target)
--   phase Suspended                                               -> Suspended (spec.suspend holds the migration)
--   phase AwaitingGate                                            -> Suspended (a step waits for an approval, a rollout or a window;
--                                                                    a set's rest waits for its canary approval or pause)
--   anything else                                                 -> Progressing, with status.message
-- What Argo CD takes back: a table with the health status and its message.
local function health(status, message)
  return {status = status, message = message}
end

local function condition(status, type)
  if status.conditions == nil then
    return nil
  end
  for _, c in ipairs(status.conditions) do
    if c.type == type then
      return c
    end
  end
  return nil
end

-- The first argument that is neither nil nor empty (select, not ipairs: ipairs stops at the first nil).
local function first(...)
  for i = 1, select("#", ...) do
    local value = select(i, ...)
    if value ~= nil and value ~= "" then
      return value
    end
  end
  return ""
end

local generation = nil
if obj.metadata ~= nil then
  generation = tonumber(obj.metadata.generation)
end
local status = obj.status

-- The CRD defaults status.observedGeneration to -1 until the operator writes status.
if status == nil or tonumber(status.observedGeneration) == nil or tonumber(status.observedGeneration) < 0 then
  if generation ~= nil then
    return health("Progressing", "waiting for the operator to observe generation " .. tostring(generation))
  end
  return health("Progressing", "waiting for the operator to write a status")
end

local observed = tonumber(status.observedGeneration)
if generation ~= nil and observed < generation then
  return health("Progressing", "waiting for the operator to observe generation " .. tostring(generation)
      .. " (status is of generation " .. tostring(observed) .. ")")
end

local stalled = condition(status, "Stalled")
if stalled ~= nil and stalled.status == "True" then
  return health("Degraded", first(stalled.message, status.message, stalled.reason))
end

local ready = condition(status, "Ready")
if ready ~= nil and ready.status == "True" then
  return health("Healthy", first(status.message, ready.message, ready.reason))
end

if status.phase == "Suspended" then
  return health("Suspended", first(status.message, "spec.suspend is true"))
end

if status.phase == "AwaitingGate" then
  return health("Suspended", first(status.message, "waiting at a gate"))
end

local reason = nil
if ready ~= nil then
  reason = ready.reason
end
return health("Progressing", first(status.message, reason, status.phase))
