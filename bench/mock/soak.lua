-- wrk script for the soak run: the whole login flow at full speed. Each /mock/login code is
-- exchanged at /sns/jscode2session, then exchanged a second time (which must answer 40163),
-- then /mock/userinfo is asked for the user. done() prints one RESULT line whose counts prove
-- that no code was lost and none was spent twice.
-- Usage: wrk -s soak.lua URL -- APPID SECRET MODE POOL THREADS
--   MODE pool: logins name one of POOL openids (returning users);
--   MODE anonymous: logins name none, so each makes a new user (as wx.login of a new user).

local appid, secret, mode, pool_per_thread
local queue = {}
local counter = 0
-- tid is set per thread by setup() (a global: a local here would hide it).
issued, first_sent, second_sent, sessions, e40163, e40029, userinfos, other = 0, 0, 0, 0, 0, 0, 0, 0
local threads = {}
local next_tid = 1

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end

function init(args)
  appid, secret, mode = args[1], args[2], args[3] or "pool"
  local pool, nthreads = tonumber(args[4] or "10000"), tonumber(args[5] or "2")
  pool_per_thread = math.max(1, math.floor(pool / nthreads))
end

local function exchange(code)
  return wrk.format("GET", "/sns/jscode2session?appid=" .. appid .. "&secret=" .. secret
    .. "&js_code=" .. code .. "&grant_type=authorization_code")
end

function request()
  local item = table.remove(queue, 1)
  if item and item.first then
    first_sent = first_sent + 1
    queue[#queue + 1] = { second = item.first }
    return exchange(item.first)
  elseif item and item.second then
    second_sent = second_sent + 1
    return exchange(item.second)
  elseif item then
    return wrk.format("POST", "/mock/userinfo", { ["Content-Type"] = "application/json" },
      '{"appid":"' .. appid .. '","openid":"' .. item.openid .. '"}')
  end
  counter = counter + 1
  local body
  if mode == "anonymous" then
    body = '{"appid":"' .. appid .. '"}'
  else
    body = '{"appid":"' .. appid .. '","openid":"oSoak' .. tid .. "x" .. (counter % pool_per_thread) .. '"}'
  end
  return wrk.format("POST", "/mock/login", { ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  if body:find('"encryptedData"', 1, true) then
    userinfos = userinfos + 1
  elseif body:find('"session_key"', 1, true) then
    sessions = sessions + 1
    queue[#queue + 1] = { openid = body:match('"openid":"([^"]+)"') }
  elseif body:find('"errcode":40163', 1, true) then
    e40163 = e40163 + 1
  elseif body:find('"errcode":40029', 1, true) then
    e40029 = e40029 + 1
  else
    local code = body:match('^{"code":"([^"]+)"')
    if code then
      issued = issued + 1
      queue[#queue + 1] = { first = code }
    else
      other = other + 1
    end
  end
end

function done(summary, latency, requests)
  local t = { issued = 0, first_sent = 0, second_sent = 0, sessions = 0, e40163 = 0,
    e40029 = 0, userinfos = 0, other = 0 }
  for _, th in ipairs(threads) do
    for k, _ in pairs(t) do
      t[k] = t[k] + (th:get(k) or 0)
    end
  end
  local socket = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  -- A code is lost when its first exchange is refused (40029, or 40163 beyond the second
  -- exchanges sent), or when it was issued and never asked for (at most one per connection
  -- is still queued when the clock stops: reported apart). A double exchange is a session
  -- answered beyond the first exchanges sent.
  local lost = t.e40029 + math.max(0, t.e40163 - t.second_sent)
  local double = math.max(0, t.sessions - t.first_sent)
  io.write(string.format(
    "RESULT rps=%.0f p50_us=%d p99_us=%d requests=%d issued=%d first_sent=%d second_sent=%d sessions=%d e40163=%d e40029=%d userinfos=%d other=%d lost=%d double=%d unasked=%d non2xx=%d socket_errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    summary.requests, t.issued, t.first_sent, t.second_sent, t.sessions, t.e40163, t.e40029,
    t.userinfos, t.other, lost, double, t.issued - t.first_sent, summary.errors.status, socket))
end
