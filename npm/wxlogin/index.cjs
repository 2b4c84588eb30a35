'use strict';
// startMock(): runs `wxlogin mock-server --port 0` and drives it through its control routes, so
// a test plays the mini program while the backend under test talks to `mock.url` as to WeChat.

const { spawn } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { binaryPath } = require('./lib/binary.cjs');

// Long enough for a cold start on a loaded CI machine; a healthy mock answers in milliseconds.
const START_TIMEOUT_MS = 30000;
const running = new Set();

// A mock left running by a test that forgot stop() must not outlive the test process.
process.on('exit', () => {
  for (const child of running) child.kill('SIGTERM');
});

function randomApp() {
  return {
    appid: `wx${crypto.randomBytes(8).toString('hex')}`,
    secret: crypto.randomBytes(16).toString('hex'),
  };
}

/** `export NAME=value` lines (shell-quoted values allowed) as an object. */
function parseEnvFile(text) {
  const env = {};
  for (let line of text.split(/\r?\n/)) {
    line = line.trim();
    if (!line || line.startsWith('#')) continue;
    if (line.startsWith('export ')) line = line.slice('export '.length);
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    let value = line.slice(eq + 1).trim();
    if (value.length >= 2 && value[0] === "'" && value.endsWith("'")) {
      value = value.slice(1, -1).replace(/'\\''/g, "'");
    } else if (value.length >= 2 && value[0] === '"' && value.endsWith('"')) {
      value = value.slice(1, -1).replace(/\\(["\\$`])/g, '$1');
    }
    env[line.slice(0, eq).trim()] = value;
  }
  return env;
}

class MockError extends Error {}

function firstLine(child, log) {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(
      () => fail(`no URL within ${START_TIMEOUT_MS / 1000} s`),
      START_TIMEOUT_MS,
    );
    function done() {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
    }
    function fail(why) {
      done();
      reject(new MockError(`wxlogin mock-server did not start (${why}): ${log().trim()}`));
    }
    function onData(chunk) {
      buffered += chunk;
      const nl = buffered.indexOf('\n');
      if (nl < 0) return;
      const line = buffered.slice(0, nl).trim();
      done();
      if (!line.startsWith('listening on ')) {
        reject(new MockError(`wxlogin mock-server printed "${line}" instead of its URL`));
      } else {
        resolve(line.slice('listening on '.length).trim());
      }
    }
    const onExit = (code) => fail(`exit code ${code}`);
    const onError = (e) => fail(e.message);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', onData);
    child.on('exit', onExit);
    child.on('error', onError);
  });
}

async function waitForFile(file, child, log) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    try {
      if (fs.statSync(file).size > 0) return fs.readFileSync(file, 'utf8');
    } catch {
      // not written yet
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new MockError(`wxlogin mock-server --intercept wrote no env file: ${log().trim()}`);
}

/**
 * Starts a mock of WeChat on a free loopback port.
 * @param {{apps?: {appid: string, secret: string}[], codeTtl?: number, intercept?: boolean, seed?: number}} [options]
 */
async function startMock(options = {}) {
  const apps = options.apps && options.apps.length ? options.apps : [randomApp()];
  const args = ['mock-server', '--port', '0'];
  if (options.codeTtl !== undefined) args.push('--code-ttl', String(options.codeTtl));
  for (const { appid, secret } of apps) args.push('--app', `${appid}:${secret}`);
  if (options.seed !== undefined) args.push('--seed', String(options.seed));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wxlogin-mock-'));
  const envFile = path.join(tmp, 'mock.env');
  if (options.intercept) args.push('--intercept', '--env-file', envFile);

  const child = spawn(binaryPath(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  // Keep the request log (one line per request) readable for error messages; reading it also
  // keeps the pipe from filling up and stalling the mock.
  let logText = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    logText = (logText + chunk).slice(-20000);
  });
  const log = () => logText;
  const exited = new Promise((resolve) => child.once('exit', resolve));

  async function stop() {
    if (child.exitCode === null && child.signalCode === null) {
      child.ref(); // keeps the event loop alive until the exit is seen
      child.kill('SIGTERM');
      await exited;
    }
    running.delete(child);
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  let url;
  let env;
  try {
    url = await firstLine(child, log);
    if (options.intercept) env = parseEnvFile(await waitForFile(envFile, child, log));
  } catch (e) {
    await stop();
    throw e;
  }
  // A forgotten mock must not keep the test runner's event loop alive.
  child.unref();
  child.stdout.unref?.();
  child.stderr.unref?.();

  async function call(method, route, body) {
    const init = { method };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { 'content-type': 'application/json' };
    }
    let response;
    try {
      response = await fetch(url + route, init);
    } catch (e) {
      throw new MockError(`${method} ${route} failed: ${e.cause?.message || e.message}`);
    }
    const text = await response.text();
    if (!response.ok) throw new MockError(`${method} ${route} answered ${response.status}: ${text}`);
    return JSON.parse(text);
  }

  const app = { appid: apps[0].appid, secret: apps[0].secret };
  const appidOf = (appid) => appid || app.appid;

  const mock = {
    url,
    app,
    apps: apps.map(({ appid, secret }) => ({ appid, secret })),
    env,
    /** What wx.login does: a fresh code; the user's session_key rotates at once. */
    async login(openid, { appid } = {}) {
      const body = { appid: appidOf(appid) };
      if (openid !== undefined && openid !== null) body.openid = openid;
      const a = await call('POST', '/mock/login', body);
      return { code: a.code, openid: a.openid };
    },
    /** What wx.getUserInfo({withCredentials: true}) gives, under the current session_key. */
    async userinfo(openid, { appid, userInfo } = {}) {
      const body = { appid: appidOf(appid), openid };
      if (userInfo !== undefined) body.userInfo = userInfo;
      const a = await call('POST', '/mock/userinfo', body);
      return { rawData: a.rawData, signature: a.signature, encryptedData: a.encryptedData, iv: a.iv };
    },
    /** The code a getPhoneNumber button gives, for /wxa/business/getuserphonenumber. */
    async phoneCode(openid, { appid, phoneNumber } = {}) {
      const body = { appid: appidOf(appid), openid };
      if (phoneNumber !== undefined) body.phoneNumber = phoneNumber;
      return (await call('POST', '/mock/phonenumber', body)).code;
    },
    /** The requests the mock has seen, oldest first, secrets masked. */
    async journal() {
      return (await call('GET', '/mock/journal')).entries;
    },
    /** The next `count` calls of `route` answer `errcode` and/or wait `latencyMs`. */
    async fault({ route, errcode, latencyMs, count = 1 } = {}) {
      const body = { route, count };
      if (errcode !== undefined && errcode !== null) body.errcode = errcode;
      if (latencyMs !== undefined && latencyMs !== null) body.latency_ms = latencyMs;
      return (await call('POST', '/mock/faults', body)).faults;
    },
    /** Forgets users, codes, tokens, faults and the journal; the apps stay. */
    async reset() {
      await call('POST', '/mock/reset', {});
    },
    /** The mock's stderr so far: one line per request, secrets masked. */
    async log() {
      return log();
    },
    stop,
  };
  return mock;
}

module.exports = { MockError, binaryPath, startMock };
