#!/usr/bin/env node
'use strict';
// `npx wxlogin ...`: runs the platform binary with the same arguments, stdio and exit code.

const { spawn } = require('child_process');
const { BinaryNotFound, binaryPath } = require('../lib/binary.cjs');

let bin;
try {
  bin = binaryPath();
} catch (e) {
  if (!(e instanceof BinaryNotFound)) throw e;
  process.stderr.write(`wxlogin: error: ${e.message}\n`);
  process.exit(1);
}

const child = spawn(bin, process.argv.slice(2), { stdio: 'inherit' });
// A supervisor that stops this shim (SIGTERM to our pid only) must stop the mock server too.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => child.kill(sig));
}
child.on('error', (e) => {
  process.stderr.write(`wxlogin: error: cannot run ${bin}: ${e.message}\n`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  }
  process.exit(code === null ? 1 : code);
});
