-- Shared by the wrk scripts of load/load.sh: counts responses by status class in every wrk
-- thread and prints one machine-readable summary line (BENCH ...) that load.sh parses.
-- A response is a success only if its status is 2xx; everything else is counted and shown.

local M = {}
local threads = {}

function M.install(env)
  env.setup = function(thread)
    thread:set("id", #threads + 1)
    table.insert(threads, thread)
  end

  env.init = function(args)
    ok = 0
    non2xx = 0
    codes = {}
  end

  env.response = function(status, headers, body)
    if status >= 200 and status < 300 then
      ok = ok + 1
    else
      non2xx = non2xx + 1
      codes[status] = (codes[status] or 0) + 1
      if non2xx <= 3 and os.getenv("BENCH_SHOW_ERRORS") ~= "0" then
        io.stderr:write(string.format("non-2xx response %d: %s\n", status, string.sub(body or "", 1, 300)))
      end
    end
  end

  env.done = function(summary, latency, requests)
    local total_ok, total_bad, all_codes = 0, 0, {}
    for _, t in ipairs(threads) do
      total_ok = total_ok + (t:get("ok") or 0)
      total_bad = total_bad + (t:get("non2xx") or 0)
      local c = t:get("codes") or {}
      for k, v in pairs(c) do all_codes[k] = (all_codes[k] or 0) + v end
    end
    local parts = {}
    for k, v in pairs(all_codes) do table.insert(parts, tostring(k) .. ":" .. tostring(v)) end
    table.sort(parts)
    local e = summary.errors
    local secs = summary.duration / 1e6
    -- latency values are microseconds
    io.write(string.format(
      "BENCH requests=%d ok=%d non2xx=%d codes=%s sock_connect=%d sock_read=%d sock_write=%d sock_timeout=%d " ..
      "secs=%.3f rps=%.1f ok_rps=%.1f p50_us=%d p75_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d mean_us=%.0f\n",
      summary.requests, total_ok, total_bad, (#parts > 0 and table.concat(parts, ",") or "-"),
      e.connect, e.read, e.write, e.timeout,
      secs, summary.requests / secs, total_ok / secs,
      latency:percentile(50), latency:percentile(75), latency:percentile(90),
      latency:percentile(99), latency:percentile(99.9), latency.max, latency.mean))
  end
end

return M
