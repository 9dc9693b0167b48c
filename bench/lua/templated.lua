-- One templated request per scenario, for every system (bench/data.sh, bench/compare.sh).
-- Env: METHOD (GET), PATH_TPL ("{id}" -> random row id in ID_MIN..ID_MAX), BODY_FILE (optional;
-- "{id}" and "{n}" (random 0..9999) substituted per request), ID_MIN (1), ID_MAX (100000),
-- SEED (42; thread k uses SEED+k), AUTH_HEADER (optional "Authorization" value; other headers,
-- such as the auth of each system, come from wrk -H).
-- At the end prints LAT_P50_MS / LAT_P99_MS with microsecond precision.
local method, path_tpl, body_tpl, id_min, id_max
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
  local auth = os.getenv("AUTH_HEADER")
  if auth and auth ~= "" then wrk.headers["Authorization"] = auth end
  id_min = tonumber(os.getenv("ID_MIN") or "1")
  id_max = tonumber(os.getenv("ID_MAX") or "100000")
  math.randomseed(tonumber(os.getenv("SEED") or "42") + (tid or 0))
end

function request()
  local id = tostring(math.random(id_min, id_max))
  local path = path_tpl:gsub("{id}", id)
  local body = nil
  if body_tpl then
    body = body_tpl:gsub("{id}", id):gsub("{n}", tostring(math.random(0, 9999)))
  end
  return wrk.format(method, path, nil, body)
end

function done(summary, latency, requests)
  io.write(string.format("LAT_P50_MS %.3f\nLAT_P99_MS %.3f\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
