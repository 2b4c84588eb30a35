// The Express backend against wxlogin's mock of WeChat, started with the npm package's startMock.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createRequire } from 'node:module';
import { startMock } from 'wxlogin';

const require = createRequire(import.meta.url);
const { createApp, configFromEnv } = require('../app.js');

const APP = { appid: 'wx5e1ec0de5e55a001', secret: '5ec2e7000000000000000000000000a1' };

describe('node-easywechat backend against the wxlogin mock', () => {
  let mock;
  let server;
  let base;

  before(async () => {
    mock = await startMock({ apps: [APP], codeTtl: 300 });
    server = createApp({ ...mock.app, baseUrl: mock.url }).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${server.address().port}`;
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await mock.stop();
  });

  beforeEach(() => mock.reset());

  const post = async (path, body, token) => {
    const headers = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(base + path, { method: 'POST', headers, body: JSON.stringify(body) });
    return { status: res.status, body: await res.json() };
  };

  const loginBody = async (openid) => {
    const login = await mock.login(openid);
    return { body: { code: login.code, ...(await mock.userinfo(login.openid)) }, openid: login.openid };
  };

  test('logs in: verifies, decrypts, then serves the user', async () => {
    assert.deepEqual(mock.app, APP);
    const { body, openid } = await loginBody('oUser1');
    const login = await post('/api/login', body);
    assert.equal(login.status, 200, JSON.stringify(login.body));
    assert.equal(login.body.openid, openid);
    assert.ok(login.body.nickName);
    const me = await fetch(`${base}/api/me`, { headers: { authorization: `Bearer ${login.body.token}` } });
    assert.deepEqual(await me.json(), { openid, nickName: login.body.nickName });
  });

  test('exchanges the code exactly once; the journal never shows the secret', async () => {
    const { body } = await loginBody();
    assert.equal((await post('/api/login', body)).status, 200);
    const journal = await mock.journal();
    assert.equal(journal.filter((e) => e.path === '/sns/jscode2session').length, 1);
    assert.ok(!JSON.stringify(journal).includes(APP.secret));
  });

  test('a reused code is refused with 40163', async () => {
    const { body } = await loginBody();
    assert.equal((await post('/api/login', body)).status, 200);
    const again = await post('/api/login', body);
    assert.equal(again.status, 401);
    assert.equal(again.body.errcode, 40163);
  });

  test('user info from before a second wx.login fails the signature', async () => {
    await mock.login('oUser2');
    const stale = await mock.userinfo('oUser2');
    const second = await mock.login('oUser2');
    const answer = await post('/api/login', { code: second.code, ...stale });
    assert.equal(answer.status, 401);
    assert.equal(answer.body.error, 'signature mismatch');
  });

  test('WeChat refusing the exchange is a 502, not a crash', async () => {
    const { body } = await loginBody();
    const faults = await mock.fault({ route: 'jscode2session', errcode: 45011, count: 1 });
    assert.equal(faults.length, 1);
    const answer = await post('/api/login', body);
    assert.equal(answer.status, 502);
    assert.equal(answer.body.errcode, 45011);
  });

  test('phone number through the access token', async () => {
    const { body, openid } = await loginBody();
    const { body: login } = await post('/api/login', body);
    const code = await mock.phoneCode(openid);
    assert.equal(typeof code, 'string');
    const answer = await post('/api/phone', { code }, login.token);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.match(answer.body.phoneNumber, /^\d+$/);
  });
});

test('configFromEnv takes what wxlogin simulate gives when WX_* are not set', () => {
  const simulate = {
    WXLOGIN_APPID: APP.appid,
    WXLOGIN_SECRET: APP.secret,
    WXLOGIN_MOCK_URL: 'http://127.0.0.1:9',
  };
  assert.deepEqual(configFromEnv(simulate), { ...APP, baseUrl: 'http://127.0.0.1:9' });
  const own = { ...simulate, WX_APPID: 'wx0', WX_SECRET: 's', WX_BASE_URL: 'http://127.0.0.1:8' };
  assert.deepEqual(configFromEnv(own), { appid: 'wx0', secret: 's', baseUrl: 'http://127.0.0.1:8' });
});
