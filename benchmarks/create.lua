-- POST /connections: a valid body for the seeded `github` OAUTH2 integration, a new connection_id on every
-- request: PREFIX-1, PREFIX-2, ... (`wrk ... -s create.lua URL -- PREFIX`: each run its own prefix, so every
-- create is an insert).
--
-- To fill a store, set BENCH_CREATE_COUNT=N in wrk's environment: each thread stops once N creates are
-- answered (wrk then waits out its duration; the caller interrupts it). The count is read from the
-- environment, not from the arguments, because wrk decides whether to hand answers to `response` (and pay
-- for parsing them) from the script's top level, before `init` sees the arguments: a timed run must not pay.
local prefix, n = "bench", 0

function init(args)
  if args[1] then prefix = args[1] end
end

local count = tonumber(os.getenv("BENCH_CREATE_COUNT") or "")
if count then
  local answered = 0
  function response(status)
    answered = answered + 1
    if answered >= count then wrk.thread:stop() end
  end
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local template = '{"provider_config_key":"github","connection_id":"%s-%d","credentials":{"type":"OAUTH2",'
  .. '"access_token":"gho_benchAccessToken123","refresh_token":"ghr_benchRefreshToken456",'
  .. '"expires_at":"2030-01-01T00:00:00.000Z"},"metadata":{"team":"alpha"},"tags":{"origin":"bench"}}'

function request()
  n = n + 1
  return wrk.format(nil, nil, nil, string.format(template, prefix, n))
end
