-- POST /connections COUNT times (`wrk ... -s fill.lua -- PREFIX COUNT`, one wrk thread): the connections
-- PREFIX-1 … PREFIX-COUNT, with create.lua's body, then wrk stops (a few more may be in flight by then).
local prefix, count, n, answered = "scale", 1000, 0, 0

function init(args)
  prefix, count = args[1], tonumber(args[2])
end

function response(status)
  answered = answered + 1
  if answered >= count then wrk.thread:stop() end
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
