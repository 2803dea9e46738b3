-- POST /connections: a valid body for the seeded `github` OAUTH2 integration, a new connection_id on every
-- request (`wrk ... -s create.lua -- PREFIX`: each run its own prefix, so every create is an insert).
local prefix, n = "bench", 0

function init(args)
  if args[1] then prefix = args[1] end
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
