// The npm package as a user gets it: run from a folder where the packed tarballs were installed
// (see .ci/packages.sh), so 'wxlogin' resolves to node_modules, never to this repository.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { startMock } from 'wxlogin';

const require = createRequire(import.meta.url);

async function exchange(mock, code) {
  const q = new URLSearchParams({
    appid: mock.app.appid,
    secret: mock.app.secret,
    js_code: code,
    grant_type: 'authorization_code',
  });
  return (await fetch(`${mock.url}/sns/jscode2session?${q}`)).json();
}

test('ESM and CommonJS entries are the same API', () => {
  const cjs = require('wxlogin');
  assert.equal(cjs.startMock, startMock);
  assert.equal(typeof cjs.binaryPath(), 'string');
});

test('startMock: apps, codeTtl, login, userinfo, phoneCode, journal, fault, stop', async () => {
  const app = { appid: 'wx0123456789abcdef', secret: '00112233445566778899aabbccddeeff' };
  const mock = await startMock({ apps: [app], codeTtl: 120 });
  try {
    assert.match(mock.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(mock.app, app);
    assert.equal(mock.env, undefined);

    const login = await mock.login('oNode');
    assert.deepEqual(Object.keys(login).sort(), ['code', 'openid']);
    assert.equal(login.openid, 'oNode');
    const { session_key: key } = await exchange(mock, login.code);
    assert.equal((await exchange(mock, login.code)).errcode, 40163);

    const info = await mock.userinfo('oNode');
    assert.deepEqual(Object.keys(info).sort(), ['encryptedData', 'iv', 'rawData', 'signature']);
    assert.equal(info.signature, createHash('sha1').update(info.rawData + key).digest('hex'));

    assert.equal(typeof (await mock.phoneCode('oNode')), 'string');

    const faults = await mock.fault({ route: 'jscode2session', errcode: 45011, latencyMs: 1, count: 1 });
    assert.deepEqual(faults, [{ route: 'jscode2session', errcode: 45011, latency_ms: 1, count: 1 }]);
    assert.equal((await exchange(mock, (await mock.login()).code)).errcode, 45011);

    const journal = await mock.journal();
    assert.ok(Array.isArray(journal));
    assert.ok(journal.some((e) => e.path === '/sns/jscode2session'));
    assert.ok(!JSON.stringify(journal).includes(app.secret));

    await assert.rejects(mock.userinfo('oNobody'), /unknown openid/);
  } finally {
    await mock.stop();
  }
});

test('a default app is made up; stop() ends the process', async () => {
  const mock = await startMock();
  assert.match(mock.app.appid, /^wx[0-9a-f]{16}$/);
  assert.ok((await mock.login()).code);
  await mock.stop();
  await assert.rejects(fetch(`${mock.url}/mock/journal`));
});

test('npx wxlogin runs the binary with its exit code', () => {
  const r = spawnSync('npx', ['--no-install', 'wxlogin', 'explain', '40163'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /40163/);
  const bad = spawnSync('npx', ['--no-install', 'wxlogin', '--no-such-flag'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
});

test('a missing platform package is one line naming it, not a stack trace', () => {
  const shim = require.resolve('wxlogin/package.json').replace(/package\.json$/, 'bin/wxlogin.js');
  // The shim resolves the platform package from its own folder; a copy elsewhere cannot see it.
  const r = spawnSync(process.execPath, ['-e', `
    const Module = require('module');
    const resolve = Module._resolveFilename;
    Module._resolveFilename = function (request, ...rest) {
      if (request.startsWith('@wxlogin/')) throw Object.assign(new Error('nope'), { code: 'MODULE_NOT_FOUND' });
      return resolve.call(this, request, ...rest);
    };
    process.argv = [process.argv[0], ${JSON.stringify(shim)}, '--version'];
    require(${JSON.stringify(shim)});
  `], { encoding: 'utf8', env: { ...process.env, WXLOGIN_BINARY: '' } });
  assert.equal(r.status, 1);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  const name = `@wxlogin/${process.platform}-${process.arch}`;
  assert.ok(lines[0].includes(name) && lines[0].includes(`npm install ${name}@`), lines[0]);
  assert.ok(!/\n\s+at /.test(r.stderr));
});

const cjs = require('wxlogin');
const mockHelp = spawnSync(cjs.binaryPath(), ['mock-server', '--help'], { encoding: 'utf8' }).stdout;
test(
  'intercept: env holds the variables of the mock env file',
  { skip: !mockHelp.includes('--intercept') && 'this wxlogin has no mock-server --intercept' },
  async () => {
    const mock = await startMock({ intercept: true });
    try {
      assert.match(mock.env.HTTPS_PROXY, /^http:\/\/127\.0\.0\.1:/);
      assert.ok(mock.env.NODE_EXTRA_CA_CERTS);
    } finally {
      await mock.stop();
    }
  },
);
