#!/usr/bin/env node
// A small mini-program backend, the kind `wxlogin simulate` drives: it exchanges wx.login
// codes with WeChat (or `wxlogin mock-server`), keeps session_key on the server, verifies and
// decrypts wx.getUserInfo results, and guards an API with the session it issued.
// Node 20 built-ins only (http, crypto): no npm install.
//
//   wxlogin simulate examples/flows/session-id.toml -- node examples/backend/server.js
//
// simulate starts it with the mock in its environment: WXLOGIN_MOCK_URL (WeChat's API base:
// the mock's URL), WXLOGIN_APPID, WXLOGIN_SECRET, WXLOGIN_PLATFORM (the flow's platform:
// wechat and qq exchange codes at GET /sns/jscode2session, douyin at POST
// /api/apps/v2/jscode2session), and PORT (the port of the flow's backend URL). By hand: WXLOGIN_APPID=wx... WXLOGIN_SECRET=... WXLOGIN_MOCK_URL=http://127.0.0.1:8080
// PORT=8000 node examples/backend/server.js (WX_APPID, WX_SECRET, WX_BASE_URL work too).
// Also HOST (default 127.0.0.1), PORT (default 0: a free port), BROKEN (or --broken MODE).
// The first line on stdout is `listening on http://HOST:PORT`.
//
// Two common shapes of login API:
//   A. session id:  POST /api/fetch_code {code} -> {session_id}
//                   POST /api/login {data: <wx.getUserInfo result>, session_id} -> {status: "OK"}
//                   GET  /api/me  (header Authentication: <session_id>)
//                   POST /api/phone {session_id, code: <getPhoneNumber code>} -> {phoneNumber}
//   B. one shot:    POST /wx/login {code, rawData, signature, encryptedData, iv} -> {token}
//                   GET  /wx/profile  (header Authorization: Bearer <token>)
//
// BROKEN selects a deliberate bug, each one seen in real backends:
//   exchange-twice  calls jscode2session twice with the same code (the second gets 40163)
//   no-exchange     never exchanges the code; it keeps the code as if it were the key
//   reserialize     verifies the signature over re-serialised rawData (sorted keys)
//   stale-key       keeps the first session_key it got for a user; later exchanges don't replace it
//   wechat-path     exchanges a Douyin code at WeChat's GET /sns/jscode2session (a WeChat SDK reused)
'use strict';

const http = require('http');
const crypto = require('crypto');

const MODES = ['exchange-twice', 'no-exchange', 'reserialize', 'stale-key', 'wechat-path'];

function brokenMode() {
  const i = process.argv.indexOf('--broken');
  let mode = process.env.BROKEN || '';
  if (i >= 0) mode = process.argv[i + 1] || '';
  const eq = process.argv.find((a) => a.startsWith('--broken='));
  if (eq) mode = eq.slice('--broken='.length);
  if (mode && !MODES.includes(mode)) {
    console.error(`unknown broken mode "${mode}": one of ${MODES.join(', ')}`);
    process.exit(2);
  }
  return mode;
}

const BROKEN = brokenMode();
const env = (...names) => names.map((n) => process.env[n]).find((v) => v) || '';
const APPID = env('WXLOGIN_APPID', 'WX_APPID');
const SECRET = env('WXLOGIN_SECRET', 'WX_SECRET');
const BASE = (env('WXLOGIN_MOCK_URL', 'WX_BASE_URL') || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const HOST = process.env.HOST || '127.0.0.1';
const PORT = Number(process.env.PORT || 0);
const PLATFORM = env('WXLOGIN_PLATFORM') || 'wechat';

if (!APPID || !SECRET) {
  console.error('set WXLOGIN_APPID and WXLOGIN_SECRET (the app registered with the mock), or run it with `wxlogin simulate FLOW -- node examples/backend/server.js`');
  process.exit(2);
}

// session id or token -> {openid, sessionKey, user}
const sessions = new Map();
// openid -> the session_key stored for that user
const keys = new Map();

function wechatGet(path, query) {
  const url = new URL(BASE + path);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body));
        } catch (e) {
          reject(new Error(`WeChat answered non-JSON (${res.statusCode})`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('WeChat did not answer in 5 s')));
    req.on('error', reject);
  });
}

function wechatPost(path, query, payload) {
  const url = new URL(BASE + path);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const data = JSON.stringify(payload);
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', timeout: 5000, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(body));
          } catch (e) {
            reject(new Error(`WeChat answered non-JSON (${res.statusCode})`));
          }
        });
      }
    );
    req.on('timeout', () => req.destroy(new Error('WeChat did not answer in 5 s')));
    req.on('error', reject);
    req.end(data);
  });
}

// One exchange of the platform's: Douyin's answer read as WeChat's ({openid, session_key} or
// {errcode, errmsg}).
async function exchange(code) {
  if (PLATFORM === 'douyin' && BROKEN !== 'wechat-path') {
    const answer = await wechatPost('/api/apps/v2/jscode2session', {}, { appid: APPID, secret: SECRET, code });
    if (answer.err_no) return { errcode: answer.err_no, errmsg: answer.err_tips };
    return { openid: answer.data.openid, session_key: answer.data.session_key };
  }
  return wechatGet('/sns/jscode2session', { appid: APPID, secret: SECRET, js_code: code, grant_type: 'authorization_code' });
}

async function code2session(code) {
  if (BROKEN === 'no-exchange') return { openid: 'unknown', session_key: code };
  if (BROKEN === 'exchange-twice') {
    // "Validate" the code first, then exchange it for real: the second call is refused.
    await exchange(code);
  }
  return exchange(code);
}

function storeKey(openid, sessionKey) {
  if (BROKEN === 'stale-key' && keys.has(openid)) return keys.get(openid);
  keys.set(openid, sessionKey);
  return sessionKey;
}

function stableStringify(value) {
  if (Array.isArray(value)) return '[' + value.map(stableStringify).join(',') + ']';
  if (value && typeof value === 'object') {
    return '{' + Object.keys(value).sort().map((k) => JSON.stringify(k) + ':' + stableStringify(value[k])).join(',') + '}';
  }
  return JSON.stringify(value);
}

// Checks a wx.getUserInfo result with the stored key: signature, then decryption and watermark.
function openUserInfo(result, sessionKey) {
  const { rawData, signature, encryptedData, iv } = result || {};
  if (typeof rawData !== 'string' || typeof signature !== 'string' || typeof encryptedData !== 'string' || typeof iv !== 'string') {
    return { error: 'BAD_REQUEST', message: 'rawData, signature, encryptedData and iv are required' };
  }
  let signed = rawData;
  if (BROKEN === 'reserialize') {
    try {
      signed = stableStringify(JSON.parse(rawData));
    } catch (e) {
      signed = rawData;
    }
  }
  const expected = crypto.createHash('sha1').update(signed + sessionKey, 'utf8').digest('hex');
  if (expected !== signature) return { error: 'BAD_SIGNATURE', message: 'signature does not match rawData' };
  let plain;
  try {
    const decipher = crypto.createDecipheriv('aes-128-cbc', Buffer.from(sessionKey, 'base64'), Buffer.from(iv, 'base64'));
    plain = Buffer.concat([decipher.update(Buffer.from(encryptedData, 'base64')), decipher.final()]).toString('utf8');
  } catch (e) {
    return { error: 'DECRYPT_FAILED', message: 'encryptedData did not decrypt with the stored session_key' };
  }
  let user;
  try {
    user = JSON.parse(plain);
  } catch (e) {
    return { error: 'DECRYPT_FAILED', message: 'decrypted data is not JSON' };
  }
  if (!user.watermark || user.watermark.appid !== APPID) return { error: 'BAD_WATERMARK', message: 'watermark appid differs' };
  return { user };
}

function newId() {
  return crypto.randomBytes(16).toString('hex');
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => {
      body += c;
      if (body.length > 1 << 20) req.destroy(new Error('body too large'));
    });
    req.on('end', () => {
      if (!body) return resolve({});
      const type = req.headers['content-type'] || '';
      try {
        if (type.includes('application/x-www-form-urlencoded')) {
          return resolve(Object.fromEntries(new URLSearchParams(body)));
        }
        resolve(JSON.parse(body));
      } catch (e) {
        reject(new Error('invalid JSON body'));
      }
    });
    req.on('error', reject);
  });
}

function bearer(req) {
  const auth = req.headers['authorization'] || '';
  if (auth.startsWith('Bearer ')) return auth.slice(7).trim();
  return (req.headers['authentication'] || auth).trim();
}

function wechatError(res, answer) {
  return send(res, 502, { status: 'WECHAT_ERROR', errcode: answer.errcode, errmsg: answer.errmsg });
}

const routes = {
  // Shape A.
  'POST /api/fetch_code': async (req, res, body) => {
    if (!body.code) return send(res, 400, { status: 'BAD_REQUEST', message: 'code is required' });
    const answer = await code2session(String(body.code));
    if (answer.errcode) return wechatError(res, answer);
    const sid = newId();
    sessions.set(sid, { openid: answer.openid, sessionKey: storeKey(answer.openid, answer.session_key) });
    send(res, 200, { session_id: sid });
  },
  'POST /api/login': async (req, res, body) => {
    const session = sessions.get(body.session_id || bearer(req));
    if (!session) return send(res, 401, { status: 'NO_SESSION' });
    let result = body.data !== undefined ? body.data : body;
    if (typeof result === 'string') {
      try {
        result = JSON.parse(result);
      } catch (e) {
        return send(res, 400, { status: 'BAD_REQUEST', message: 'data is not JSON' });
      }
    }
    const opened = openUserInfo(result, session.sessionKey);
    if (opened.error) return send(res, 400, { status: opened.error, message: opened.message });
    session.user = opened.user;
    send(res, 200, { status: 'OK', openid: session.openid, nickName: opened.user.nickName });
  },
  'GET /api/me': async (req, res) => {
    const session = sessions.get(bearer(req));
    if (!session || !session.user) return send(res, 401, { status: 'NOT_LOGGED_IN' });
    send(res, 200, { openid: session.openid, nickName: session.user.nickName });
  },
  'POST /api/phone': async (req, res, body) => {
    const session = sessions.get(body.session_id || bearer(req));
    if (!session) return send(res, 401, { status: 'NO_SESSION' });
    const token = await wechatGet('/cgi-bin/token', { grant_type: 'client_credential', appid: APPID, secret: SECRET });
    if (token.errcode) return wechatError(res, token);
    const answer = await wechatPost('/wxa/business/getuserphonenumber', { access_token: token.access_token }, { code: String(body.code || '') });
    if (answer.errcode) return wechatError(res, answer);
    send(res, 200, { phoneNumber: answer.phone_info.phoneNumber });
  },
  // Shape B.
  'POST /wx/login': async (req, res, body) => {
    if (!body.code) return send(res, 400, { status: 'BAD_REQUEST', message: 'code is required' });
    const answer = await code2session(String(body.code));
    if (answer.errcode) return wechatError(res, answer);
    const key = storeKey(answer.openid, answer.session_key);
    const opened = openUserInfo(body, key);
    if (opened.error) return send(res, 401, { status: opened.error, message: opened.message });
    const token = newId();
    sessions.set(token, { openid: answer.openid, sessionKey: key, user: opened.user });
    send(res, 200, { token, openid: answer.openid });
  },
  'GET /wx/profile': async (req, res) => {
    const session = sessions.get(bearer(req));
    if (!session) return send(res, 401, { status: 'NOT_LOGGED_IN' });
    send(res, 200, { openid: session.openid, nickName: session.user.nickName });
  },
};

const server = http.createServer(async (req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  const route = routes[`${req.method} ${path}`];
  const started = Date.now();
  res.on('finish', () => console.error(`${req.method} ${path} ${res.statusCode} ${Date.now() - started}ms`));
  if (!route) return send(res, 404, { status: 'NOT_FOUND' });
  try {
    const body = await readBody(req);
    await route(req, res, body);
  } catch (e) {
    if (!res.headersSent) send(res, 500, { status: 'ERROR', message: e.message });
  }
});

server.listen(PORT, HOST, () => {
  const { port } = server.address();
  console.log(`listening on http://${HOST}:${port}`);
  if (BROKEN) console.error(`deliberately broken: ${BROKEN}`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
