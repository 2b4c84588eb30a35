'use strict';
// A small mini-program backend in Express that logs in with node-easywechat, a WeChat SDK whose
// API base URL is configurable (`http.baseURL`), so tests point it at `wxlogin mock-server`.
//
//   WX_APPID=wx... WX_SECRET=... WX_BASE_URL=http://127.0.0.1:8080 node app.js
//
// `wxlogin simulate` starts it as it is, with the mock in WXLOGIN_APPID, WXLOGIN_SECRET and
// WXLOGIN_MOCK_URL (read when the WX_ ones are not set) and the port in PORT:
//
//   wxlogin simulate examples/flows/api-login.toml -- node examples/node_backend/app.js
//
// POST /api/login {code, rawData, signature, encryptedData, iv} -> {token, openid, nickName}
// GET  /api/me          (Authorization: Bearer TOKEN) -> {openid, nickName}
// POST /api/phone {code} (Authorization: Bearer TOKEN) -> {phoneNumber}

const crypto = require('crypto');
const express = require('express');
const { MiniApp } = require('node-easywechat');

const WECHAT = 'https://api.weixin.qq.com/';
// Errcodes that mean the client sent a bad or used code, rather than WeChat failing.
const CLIENT_CODE_ERRORS = [40029, 40163, 40226];

function wechatError(res, e) {
  // node-easywechat reports an errcode as an Error whose message holds WeChat's JSON answer.
  const match = /\{.*\}/s.exec(e.message || '');
  let answer = {};
  try {
    answer = match ? JSON.parse(match[0]) : {};
  } catch {
    answer = {};
  }
  const errcode = answer.errcode ?? null;
  const status = CLIENT_CODE_ERRORS.includes(errcode) ? 401 : 502;
  res.status(status).json({ error: 'wechat', errcode, errmsg: answer.errmsg ?? e.message });
}

// node-easywechat's default cache writes the access token to a file in the working directory,
// named after the appid and the secret: the secret lands on disk, and a token cached from another
// WeChat (yesterday's mock) is sent to today's and refused with 40001. Keep tokens in memory.
class MemoryCache {
  constructor() {
    this.entries = new Map();
  }
  async get(key) {
    const e = this.entries.get(key);
    return e && (e.expires === null || e.expires > Date.now()) ? e.data : null;
  }
  async has(key) {
    return (await this.get(key)) !== null;
  }
  async set(key, data, lifetime) {
    this.entries.set(key, { data, expires: lifetime ? Date.now() + lifetime * 1000 : null });
    return true;
  }
  async delete(key) {
    return this.entries.delete(key);
  }
}

function createApp({ appid, secret, baseUrl = WECHAT }) {
  const wechat = new MiniApp({
    app_id: appid,
    secret,
    http: { baseURL: baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`, timeout: 10000 },
  });
  wechat.setCache(new MemoryCache());
  const utils = wechat.getUtils();
  const sessions = new Map();
  const app = express();
  app.use(express.json());

  const currentSession = (req) => {
    const header = req.get('authorization') || '';
    return header.startsWith('Bearer ') ? sessions.get(header.slice('Bearer '.length)) : undefined;
  };

  app.post('/api/login', async (req, res) => {
    const { code, rawData, signature, encryptedData, iv } = req.body || {};
    if (!code) return res.status(400).json({ error: 'code missing' });
    let session;
    try {
      session = await utils.codeToSession(code);
    } catch (e) {
      return wechatError(res, e);
    }
    let profile = {};
    if (rawData) {
      const expected = crypto
        .createHash('sha1')
        .update(rawData + session.session_key)
        .digest('hex');
      if (expected !== signature) return res.status(401).json({ error: 'signature mismatch' });
      try {
        profile = utils.decryptSession(session.session_key, iv, encryptedData);
      } catch {
        return res.status(401).json({ error: 'cannot decrypt' });
      }
      if (profile.watermark?.appid !== appid) return res.status(401).json({ error: 'watermark' });
    }
    const token = crypto.randomBytes(24).toString('base64url');
    sessions.set(token, {
      openid: session.openid,
      sessionKey: session.session_key,
      nickName: profile.nickName ?? null,
    });
    res.json({ token, openid: session.openid, nickName: profile.nickName ?? null });
  });

  app.get('/api/me', (req, res) => {
    const session = currentSession(req);
    if (!session) return res.status(401).json({ error: 'not logged in' });
    res.json({ openid: session.openid, nickName: session.nickName });
  });

  app.post('/api/phone', async (req, res) => {
    if (!currentSession(req)) return res.status(401).json({ error: 'not logged in' });
    const { code } = req.body || {};
    if (!code) return res.status(400).json({ error: 'code missing' });
    let answer;
    try {
      // The SDK's client adds the access token it fetched (and cached) from the same base URL.
      answer = (await wechat.getClient().postJson('wxa/business/getuserphonenumber', { code })).toObject();
    } catch (e) {
      return wechatError(res, e);
    }
    if (answer.errcode) return wechatError(res, new Error(JSON.stringify(answer)));
    res.json({ phoneNumber: answer.phone_info.phoneNumber });
  });

  return app;
}

// The app's settings from the environment: WX_* first, else what `wxlogin simulate` gives.
function configFromEnv(env) {
  return {
    appid: env.WX_APPID || env.WXLOGIN_APPID,
    secret: env.WX_SECRET || env.WXLOGIN_SECRET,
    baseUrl: env.WX_BASE_URL || env.WXLOGIN_MOCK_URL || WECHAT,
  };
}

module.exports = { createApp, configFromEnv };

if (require.main === module) {
  const app = createApp(configFromEnv(process.env));
  const server = app.listen(Number(process.env.PORT || 8000), '127.0.0.1', () => {
    console.log(`listening on http://127.0.0.1:${server.address().port}`);
  });
}
