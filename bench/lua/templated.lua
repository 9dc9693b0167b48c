-- One templated request per scenario: PATH_TPL with "{id}" (random row id in 1..ID_MAX) and
-- an optional BODY_FILE with "{id}"/"{n}" (random 0..9999); Authorization from AUTH_HEADER.
local method, path_tpl, body_tpl, id_max
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

function init(args)
  method = os.getenv("METHOD") or "GET"
  path_tpl = os.getenv("PATH_TPL") or "/"
  local bf = os.getenv("BODY_FILE")
  if bf and bf ~= "" then
    local f = assert(io.open(bf, "rb"))
    body_tpl = f:read("*a"):gsub("%s+$", "")
    f:close()
    wrk.headers["Content-Type"] = "application/json"
  end
  wrk.headers["Authorization"] = os.getenv("AUTH_HEADER")
  id_max = tonumber(os.getenv("ID_MAX") or "100000")
  math.randomseed(42 + (tid or 0))
end

function request()
  local id = tostring(math.random(1, id_max))
  local path = path_tpl:gsub("{id}", id)
  local body = nil
  if body_tpl then
    body = body_tpl:gsub("{id}", id):gsub("{n}", tostring(math.random(0, 9999)))
  end
  return wrk.format(method, path, nil, body)
end
