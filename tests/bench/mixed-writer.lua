-- tests/bench/mixed-writer.lua — the writer of tests/bench/mixed.sh: POST
-- /api/v1/connections/ID/test (the API's test, run and recorded by the
-- worker that answers) on random stand-in connections, each request with
-- the next of the service tokens (20 tests a minute each) in the file
-- BENCH_MIXED_TOKENS, ids from BENCH_MIXED_IDS; BENCH_MIXED_GAP_MS between a
-- connection's answer and its next request sets the rate.

local tokens, ids, n = {}, {}, 0

local function lines(path, into)
	local f = assert(io.open(path, "r"))
	for line in f:lines() do
		if line ~= "" then
			into[#into + 1] = line
		end
	end
	f:close()
end

function init(args)
	lines(os.getenv("BENCH_MIXED_TOKENS"), tokens)
	lines(os.getenv("BENCH_MIXED_IDS"), ids)
	math.randomseed(os.time() + math.floor(os.clock() * 1000000))
	n = math.random(#tokens)
end

function delay()
	return tonumber(os.getenv("BENCH_MIXED_GAP_MS"))
end

function request()
	n = n % #tokens + 1
	return wrk.format("POST", "/api/v1/connections/" .. ids[math.random(#ids)] .. "/test",
	    { ["Authorization"] = "Bearer " .. tokens[n],
	      ["Content-Type"] = "application/json" }, "{}")
end
