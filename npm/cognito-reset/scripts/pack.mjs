#!/usr/bin/env node
// Packs the npm package with the given prebuilt functions into exactly one tarball:
//
//   node npm/cognito-reset/scripts/pack.mjs --out <dir> [--quality 0-11] \
//     --arch arm64=target/lambda-arm64/{fn}/bootstrap --arch x86_64=target/lambda-x86-64/{fn}/bootstrap
//
// `{fn}` stands for each function's name. The package is staged in a temporary folder (this
// folder's package.json and README, src/ compiled to dist/ with the package's tsconfig, each
// binary Brotli-compressed into bin/<arch>/<fn>.br, bin/manifest.json), then `npm pack`ed into
// <dir>, after removing every other tarball there. `make package` packs both architectures'
// release builds at quality 11; the workspace test packs the x86_64 binaries the test run built
// at a low quality, through this same script. Prints the tarball's path and size.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants } from 'node:zlib';

const here = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ARCHITECTURES = ['arm64', 'x86_64'];

function fail(message) {
  console.error(`pack: ${message}`);
  process.exit(2);
}

function parse(argv) {
  const args = { arch: [], out: undefined, quality: 11 };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) fail(`${flag} needs a value`);
    if (flag === '--arch') {
      const [arch, pattern] = value.split(/=(.*)/s);
      if (!ARCHITECTURES.includes(arch) || !pattern?.includes('{fn}')) {
        fail(`--arch takes <arm64|x86_64>=<path with {fn}>, not ${JSON.stringify(value)}`);
      }
      args.arch.push([arch, pattern]);
    } else if (flag === '--out') args.out = resolve(value);
    else if (flag === '--quality') {
      args.quality = Number(value);
      if (!Number.isInteger(args.quality) || args.quality < 0 || args.quality > 11) fail('--quality is 0 to 11');
    } else fail(`unknown flag ${flag}`);
  }
  if (!args.out || args.arch.length === 0) fail('usage: pack.mjs --out <dir> --arch <arch>=<path with {fn}> ...');
  return args;
}

/** The function names, from the generated settings (one list for the package and the workspace). */
function functions() {
  const settings = readFileSync(join(here, 'src/settings.ts'), 'utf8');
  const list = /export const FUNCTIONS: readonly FunctionName\[\] = (\[[^\]]*\]);/.exec(settings);
  if (!list) fail('src/settings.ts has no FUNCTIONS list (run `make settings`)');
  return JSON.parse(list[1]);
}

const args = parse(process.argv.slice(2));
const pkg = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));
const stage = mkdtempSync(join(tmpdir(), 'cognito-reset-pack-'));
try {
  cpSync(join(here, 'package.json'), join(stage, 'package.json'));
  cpSync(join(here, 'README.md'), join(stage, 'README.md'));
  // The workspace's typescript (npm ci at the repository root installs it).
  execFileSync(join(here, '../../node_modules/.bin/tsc'), ['-p', join(here, 'tsconfig.build.json'), '--outDir', join(stage, 'dist')], {
    stdio: 'inherit',
  });

  const manifest = { version: pkg.version, binaries: {} };
  for (const [arch, pattern] of args.arch) {
    manifest.binaries[arch] = {};
    mkdirSync(join(stage, 'bin', arch), { recursive: true });
    for (const fn of functions()) {
      const source = pattern.replaceAll('{fn}', fn);
      if (!statExists(source)) fail(`${source} is missing (build the functions first)`);
      const bootstrap = readFileSync(source);
      if (bootstrap.subarray(0, 4).toString('latin1') !== '\x7fELF') fail(`${source} is not an ELF binary`);
      const machine = bootstrap.readUInt16LE(18);
      const expected = arch === 'arm64' ? 0xb7 : 0x3e;
      if (machine !== expected) fail(`${source} is not built for ${arch} (ELF machine 0x${machine.toString(16)})`);
      const compressed = brotliCompressSync(bootstrap, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: args.quality,
          [constants.BROTLI_PARAM_LGWIN]: 24,
          [constants.BROTLI_PARAM_SIZE_HINT]: bootstrap.length,
        },
      });
      writeFileSync(join(stage, 'bin', arch, `${fn}.br`), compressed);
      manifest.binaries[arch][fn] = {
        sha256: createHash('sha256').update(bootstrap).digest('hex'),
        size: bootstrap.length,
      };
    }
  }
  writeFileSync(join(stage, 'bin', 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  mkdirSync(args.out, { recursive: true });
  for (const old of readdirSync(args.out).filter((f) => f.endsWith('.tgz'))) rmSync(join(args.out, old));
  execFileSync('npm', ['pack', stage, '--pack-destination', args.out, '--loglevel=error'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const tarballs = readdirSync(args.out).filter((f) => f.endsWith('.tgz'));
  if (tarballs.length !== 1) fail(`expected one tarball in ${args.out}, found ${tarballs.join(', ') || 'none'}`);
  const tarball = join(args.out, tarballs[0]);
  const mb = (statSync(tarball).size / 1e6).toFixed(1);
  console.log(`${tarball} (${mb} MB; ${args.arch.map(([a]) => a).join(' and ')})`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}

function statExists(path) {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
