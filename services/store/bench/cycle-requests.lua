-- wrk script for the store benchmarks. Sends the pre-signed raw HTTP requests from the file
-- named by WRK_REQUESTS (separated by NUL bytes) in order, each once, so every launch carries
-- a fresh nonce and wrk measures the server rather than request signing. Without WRK_REQUESTS
-- it defines no request() and wrk sends its static GET of the URL given (the baselines). Run
-- with one wrk thread (-t1): the request list is not split between threads.
-- done() prints one JSON line with the figures (latencies in microseconds).

local file = os.getenv("WRK_REQUESTS")

if file ~= nil and file ~= "" then
  local requests = {}
  local nextIndex = 0

  function init(args)
    local f = assert(io.open(file, "rb"))
    local all = f:read("*a")
    f:close()
    for r in string.gmatch(all, "([^%z]+)") do
      requests[#requests + 1] = r
    end
  end

  function request()
    nextIndex = nextIndex + 1
    if nextIndex > #requests then
      -- exhausted: repeats are refused as replays and show up as non-2xx
      nextIndex = 1
    end
    return requests[nextIndex]
  end
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"durationUs":%d,"non2xx":%d,"socketErrors":%d,"timeouts":%d,"p50Us":%d,"p99Us":%d,"maxUs":%d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
