-- wrk script for the login flow: POST /mock/login (what wx.login does), then
-- GET /sns/jscode2session with the code it returned (what a backend does). Each code is
-- exchanged exactly once. Users are reused (100 per thread), as returning users are.
-- Usage: wrk -s login_flow.lua URL -- APPID SECRET

local appid, secret
local codes = {}
local counter = 0
local errcode_errors = 0
local tid = 0
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
  errcode_errors = 0
end

function request()
  local n = #codes
  if n > 0 then
    local code = codes[n]
    codes[n] = nil
    return wrk.format("GET", "/sns/jscode2session?appid=" .. appid .. "&secret=" .. secret
      .. "&js_code=" .. code .. "&grant_type=authorization_code")
  end
  counter = counter + 1
  local body = '{"appid":"' .. appid .. '","openid":"oBench' .. tid .. "x" .. (counter % 100) .. '"}'
  return wrk.format("POST", "/mock/login", { ["Content-Type"] = "application/json" }, body)
end

-- Both servers answer a login with {"code":"...", so the code starts at byte 10: no pattern
-- matching, which would cost wrk more CPU than the server spends on the request.
function response(status, headers, body)
  if body:sub(1, 9) == '{"code":"' then
    local close = body:find('"', 10, true)
    codes[#codes + 1] = body:sub(10, close - 1)
  elseif not body:find('"session_key"', 1, true) then
    errcode_errors = errcode_errors + 1
  end
end

function done(summary, latency, requests)
  local errs = 0
  for _, t in ipairs(threads) do
    errs = errs + (t:get("errcode_errors") or 0)
  end
  local socket = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format(
    "RESULT rps=%.0f p50_us=%d p99_us=%d requests=%d errcode_errors=%d non2xx=%d socket_errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    summary.requests, errs, summary.errors.status, socket))
end
