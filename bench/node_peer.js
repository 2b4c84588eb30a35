// The comparison peer for bench/mock_load.sh: a plain Node `http` server with the same two
// routes as the mock's login flow (POST /mock/login, GET /sns/jscode2session), single-use
// codes, key rotation on login and WeChat-style errcodes. No packages, loopback only.
'use strict';
const http = require('http');
const crypto = require('crypto');

const APPID = process.env.APPID || 'wxbench00000000000';
const SECRET = process.env.SECRET || '00000000000000000000000000000000';
const TTL_MS = 300 * 1000;
const codes = new Map(); // code -> { openid, issued, used }
const users = new Map(); // openid -> session_key

function send(res, status, obj) {
  const body = JSON.stringify(obj);
  res.writeHead(status, { 'Content-Type': 'application/json; encoding=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function wxError(res, errcode, errmsg) {
  send(res, 200, { errcode, errmsg: `${errmsg}, rid: ${crypto.randomBytes(4).toString('hex')}` });
}

function login(req, res) {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => { body += chunk; if (body.length > 65536) req.destroy(); });
  req.on('end', () => {
    let j;
    try { j = JSON.parse(body); } catch (e) { return send(res, 400, { errcode: 47001, errmsg: 'data format error' }); }
    if (!j || !j.appid) return send(res, 400, { errcode: 41002, errmsg: 'appid missing' });
    if (j.appid !== APPID) return send(res, 400, { errcode: 40013, errmsg: 'invalid appid' });
    const openid = j.openid || 'o' + crypto.randomBytes(21).toString('base64url').slice(0, 27);
    users.set(openid, crypto.randomBytes(16).toString('base64')); // wx.login rotates the key
    const code = crypto.randomBytes(24).toString('base64url');
    codes.set(code, { openid, issued: Date.now(), used: false });
    send(res, 200, { code, openid, expires_in: TTL_MS / 1000 });
  });
}

function jscode2session(req, res) {
  const q = new URLSearchParams(req.url.slice(req.url.indexOf('?') + 1));
  const appid = q.get('appid'), secret = q.get('secret'), code = q.get('js_code');
  if (!appid) return wxError(res, 41002, 'appid missing');
  if (!secret) return wxError(res, 41004, 'appsecret missing');
  if (!code) return wxError(res, 41008, 'missing code');
  if (appid !== APPID) return wxError(res, 40013, 'invalid appid');
  if (secret !== SECRET) return wxError(res, 40125, 'invalid appsecret');
  const entry = codes.get(code);
  if (!entry || Date.now() - entry.issued >= TTL_MS) return wxError(res, 40029, 'invalid code');
  if (entry.used) return wxError(res, 40163, 'code been used');
  entry.used = true;
  send(res, 200, { openid: entry.openid, session_key: users.get(entry.openid) });
}

const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/mock/login') return login(req, res);
  if (req.method === 'GET' && req.url.startsWith('/sns/jscode2session')) return jscode2session(req, res);
  wxError(res, 40066, 'invalid url');
});

// Forget expired codes now and then, as the mock does.
setInterval(() => {
  const now = Date.now();
  for (const [code, e] of codes) if (now - e.issued >= TTL_MS) codes.delete(code);
}, 30000).unref();

server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
