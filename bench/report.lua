-- Prints one machine-readable line per run: requests/s, p50 and p99 in
-- microseconds, and the count of non-2xx answers and socket errors.
--
-- wrk runs `response` in each thread's own Lua state and `done` in another
-- one, so the count is kept per thread (a global, which `thread:get`
-- reads) and summed at the end.
local threads = {}
setup = function(thread)
    table.insert(threads, thread)
end
errors = 0
response = function(status, headers, body)
    if status >= 400 then errors = errors + 1 end
end
done = function(summary, latency, requests)
    local seconds = summary.duration / 1000000
    local refused = 0
    for _, thread in ipairs(threads) do
        refused = refused + thread:get("errors")
    end
    local failed = refused + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
    io.write(string.format("RESULT %.1f %d %d %d\n", summary.requests / seconds, latency:percentile(50), latency:percentile(99), failed))
end
