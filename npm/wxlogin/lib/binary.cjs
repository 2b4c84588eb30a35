'use strict';
// Finds the wxlogin binary: $WXLOGIN_BINARY, else the per-platform package that npm installed
// from optionalDependencies (the esbuild/Biome layout: npm skips the ones whose os/cpu differ).

const path = require('path');
const pkg = require('../package.json');

class BinaryNotFound extends Error {}

function platformPackage(platform = process.platform, arch = process.arch) {
  return `@wxlogin/${platform}-${arch}`;
}

function binaryPath() {
  if (process.env.WXLOGIN_BINARY) return process.env.WXLOGIN_BINARY;
  const name = platformPackage();
  const exe = process.platform === 'win32' ? 'wxlogin.exe' : 'wxlogin';
  let dir;
  try {
    dir = path.dirname(require.resolve(`${name}/package.json`));
  } catch {
    const known = Object.keys(pkg.optionalDependencies || {});
    if (!known.includes(name)) {
      throw new BinaryNotFound(
        `no prebuilt wxlogin for ${process.platform}-${process.arch} (there are: ` +
          `${known.map((k) => k.replace('@wxlogin/', '')).join(', ')}); build it from source ` +
          '(`cargo install --path .` in the wxlogin repository) and set WXLOGIN_BINARY to it',
      );
    }
    throw new BinaryNotFound(
      `the platform package ${name} is not installed (optional dependencies were omitted?): ` +
        `install it with \`npm install ${name}@${pkg.version}\``,
    );
  }
  return path.join(dir, 'bin', exe);
}

module.exports = { BinaryNotFound, binaryPath, platformPackage };
