-- The request mix of bench/soak (prepended with the ids and the token). Any
-- answer that is not 2xx counts as an error, as does every socket error.
math.randomseed(os.time())
local errors = 0
-- A global, so done() can read it from each thread with thread:get.
writes = 0
local counter = 0
local json_headers = {["Authorization"] = token, ["Content-Type"] = "application/json"}
local read_headers = {["Authorization"] = token}

request = function()
    local roll = math.random(100)
    if roll <= 55 then
        return wrk.format("GET", "/api/v1/members/" .. members[math.random(#members)], read_headers)
    elseif roll <= 65 then
        return wrk.format("GET", "/api/v1/organisations/" .. orgs[math.random(#orgs)], read_headers)
    elseif roll <= 75 then
        return wrk.format("GET", "/api/v1/members?organisation_id=" .. cells[math.random(#cells)] .. "&limit=50", read_headers)
    elseif roll <= 80 then
        local names = {"nguyen%20van", "lo%20thi", "quang", "sung%20a", "thao"}
        return wrk.format("GET", "/api/v1/members?q=" .. names[math.random(#names)] .. "&limit=20", read_headers)
    elseif roll <= 90 then
        counter = counter + 1
        writes = writes + 1
        local body = string.format(
            '{"person":{"full_name":"Soak %d %d","gender":"female","date_of_birth":"1990-02-03","ethnicity":"kinh","general_education":12},' ..
            '"organisation_id":"%s","admitted_on":"2024-05-19"}', math.random(1000000), counter, cells[math.random(#cells)])
        return wrk.format("POST", "/api/v1/members", json_headers, body)
    else
        writes = writes + 1
        local body = string.format('{"phone":"09%08d"}', math.random(99999999))
        return wrk.format("PATCH", "/api/v1/people/" .. people[math.random(#people)], json_headers, body)
    end
end

response = function(status, headers, body)
    if status < 200 or status >= 300 then
        errors = errors + 1
        if errors <= 5 then
            io.stderr:write("non-2xx " .. status .. ": " .. body:sub(1, 300) .. "\n")
        end
    end
end

-- wrk runs each thread in its own Lua state; keep them to aggregate in done().
local threads = {}
setup = function(thread)
    table.insert(threads, thread)
end

done = function(summary, latency, requests)
    local seconds = summary.duration / 1000000
    local failed = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout + summary.errors.status
    local total_writes = 0
    for _, thread in ipairs(threads) do
        total_writes = total_writes + (thread:get("writes") or 0)
    end
    io.write(string.format("SOAK %.1f %d %d %d %d %d\n", summary.requests / seconds, latency:percentile(50),
        latency:percentile(99), summary.requests, total_writes, failed))
end
