-- tests/bench/mixed.lua — wrk script of tests/bench/mixed.sh: every request
-- picks a signed-in session and a view at random. The sessions and their
-- views come from the file named by the environment's BENCH_MIXED_DATA,
-- one line a session: "COOKIE<TAB>PATH<TAB>PATH…" (mixed.sh writes it).
-- A reply that is not 200 is counted by wrk ("Non-2xx or 3xx responses").

local sessions = {}

local function load(path)
	local f = assert(io.open(path, "r"))
	for line in f:lines() do
		local s = { paths = {} }
		for field in line:gmatch("[^\t]+") do
			if s.cookie == nil then
				s.cookie = field
			else
				s.paths[#s.paths + 1] = field
			end
		end
		if s.cookie ~= nil and #s.paths > 0 then
			sessions[#sessions + 1] = s
		end
	end
	f:close()
end

function init(args)
	load(os.getenv("BENCH_MIXED_DATA"))
	math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

function request()
	local s = sessions[math.random(#sessions)]
	local path = s.paths[math.random(#s.paths)]
	return wrk.format("GET", path, { ["Cookie"] = s.cookie })
end
