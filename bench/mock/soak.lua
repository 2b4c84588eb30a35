-- wrk script for the soak run: mixed load of the whole client+server flow. Every code that
-- /mock/login issues is exchanged exactly once at /sns/jscode2session; every successful
-- exchange is followed by /mock/userinfo for that user. At the end the counts prove that no
-- code was lost: issued = exchanged + still queued when the clock ran out.
-- Usage: wrk -s soak.lua URL -- APPID SECRET

local appid, secret
local queue = {}
local counter = 0
local tid = 0
issued, exchanged, userinfos, errcodes = 0, 0, 0, 0
local threads = {}
local next_tid = 1

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end

function init(args)
  appid = args[1]
  secret = args[2]
end

function request()
  local item = table.remove(queue)
  if item and item.code then
    return wrk.format("GET", "/sns/jscode2session?appid=" .. appid .. "&secret=" .. secret
      .. "&js_code=" .. item.code .. "&grant_type=authorization_code")
  elseif item then
    return wrk.format("POST", "/mock/userinfo", { ["Content-Type"] = "application/json" },
      '{"appid":"' .. appid .. '","openid":"' .. item.openid .. '"}')
  end
  counter = counter + 1
  local body = '{"appid":"' .. appid .. '","openid":"oSoak' .. tid .. "x" .. (counter % 500) .. '"}'
  return wrk.format("POST", "/mock/login", { ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  if body:find('"encryptedData"', 1, true) then
    userinfos = userinfos + 1
    return
  end
  local openid = body:match('"openid":"([^"]+)"')
  if body:find('"session_key"', 1, true) and openid then
    exchanged = exchanged + 1
    queue[#queue + 1] = { openid = openid }
    return
  end
  local code = body:match('"code":"([^"]+)"')
  if code then
    issued = issued + 1
    queue[#queue + 1] = { code = code }
    return
  end
  errcodes = errcodes + 1
end

function done(summary, latency, requests)
  local t_issued, t_exchanged, t_userinfos, t_errcodes = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    t_issued = t_issued + (t:get("issued") or 0)
    t_exchanged = t_exchanged + (t:get("exchanged") or 0)
    t_userinfos = t_userinfos + (t:get("userinfos") or 0)
    t_errcodes = t_errcodes + (t:get("errcodes") or 0)
  end
  local socket = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format(
    "RESULT rps=%.0f p99_us=%d requests=%d issued=%d exchanged=%d userinfos=%d errcodes=%d non2xx=%d socket_errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(99), summary.requests,
    t_issued, t_exchanged, t_userinfos, t_errcodes, summary.errors.status, socket))
end
