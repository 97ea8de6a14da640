-- Round-robin over the requests in the file named by WRK_REQUESTS: one a line,
-- "METHOD<TAB>PATH<TAB>BODY[<TAB>IF_NONE_MATCH]" (BODY may be empty; IF_NONE_MATCH, when given,
-- is sent as that header). Prints one JSON line when done.
-- Built in init, after wrk.init has set the Host header that wrk.format copies: built earlier,
-- the requests had none, which gunicorn's sync workers accept and uvicorn (h11) refuses.
local requests = {}
local counter = 0

function init(args)
  local file = assert(io.open(os.getenv("WRK_REQUESTS"), "r"))
  for line in file:lines() do
    local method, path, rest = line:match("^([^\t]*)\t([^\t]*)\t?(.*)$")
    local body, validator = rest:match("^([^\t]*)\t(.*)$")
    if body == nil then
      body = rest
    end
    local headers = {}
    if validator ~= nil and validator ~= "" then
      headers["If-None-Match"] = validator
    end
    if body ~= nil and body ~= "" then
      headers["Content-Type"] = "application/json"
    else
      body = nil
    end
    requests[#requests + 1] = wrk.format(method, path, headers, body)
  end
  file:close()
  counter = math.random(#requests)
end

function request()
  counter = counter % #requests + 1
  return requests[counter]
end

function done(summary, latency, requests_)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "mean_us": %f, "max_us": %d, "non2xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.mean, latency.max,
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
