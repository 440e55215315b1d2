// The prebuilt functions the package carries: `bin/<arm64|x86_64>/<function>.br`, each a
// Lambda `bootstrap` for `provided.al2023` compressed with Brotli (npm's gzip alone leaves the
// package over 30 MB), and `bin/manifest.json` with each binary's SHA-256 and size. A binary is
// decompressed once into a folder of its own named by its hash, in a cache only this user may
// write, and checked against the manifest every time it is used; a Lambda asset takes the
// folder as it is.

import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync } from 'node:zlib';

import type { FunctionName } from './settings.js';

/** A Lambda architecture the package carries functions for. */
export type Architecture = 'arm64' | 'x86_64';

/** One binary in the manifest. */
export interface Binary {
  /** SHA-256 of the decompressed `bootstrap`, hex. */
  readonly sha256: string;
  /** Its size in bytes. */
  readonly size: number;
}

/** `bin/manifest.json`: what `scripts/pack.mjs` put in the package. */
export interface Manifest {
  readonly version: string;
  readonly binaries: Readonly<Partial<Record<Architecture, Readonly<Record<string, Binary>>>>>;
}

/** The package's root (dist/ sits in it). */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

let manifest: Manifest | undefined;

/** The manifest of this installation's binaries. */
export function binaries(root: string = ROOT): Manifest {
  if (root === ROOT && manifest) return manifest;
  const path = join(root, 'bin', 'manifest.json');
  if (!existsSync(path)) {
    throw new Error(
      `cognito-reset: ${path} is missing: this copy of the package carries no functions (build one with \`make package\`)`,
    );
  }
  const read = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  if (root === ROOT) manifest = read;
  return read;
}

/** This process's user id (`-1` where there is none, as on Windows). */
const UID = process.getuid?.() ?? -1;

/** A folder only this user can write: created 0700, and refused if anyone else could (on
 * POSIX systems; Windows reports no such modes). */
function privateFolder(path: string): string {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  const stat = lstatSync(path);
  const posix = process.platform !== 'win32';
  if (!stat.isDirectory() || (posix && ((UID >= 0 && stat.uid !== UID) || (stat.mode & 0o022) !== 0))) {
    throw new Error(`cognito-reset: ${path} is not a folder only this user may write; remove it or set another cache`);
  }
  return path;
}

/** Whether `path` holds exactly `binary`. */
function holds(path: string, binary: Binary): boolean {
  if (!existsSync(path)) return false;
  const bytes = readFileSync(path);
  return bytes.length === binary.size && createHash('sha256').update(bytes).digest('hex') === binary.sha256;
}

/**
 * The folder holding `bootstrap` for `fn` on `architecture`, ready for `Code.fromAsset`:
 * decompressed from the package on first use into `cache` (by default a folder of this user's
 * in the system's temporary directory), named by the binary's hash, and verified against the
 * manifest on every use. Throws when the package carries no binary for that architecture.
 */
export function bootstrapFolder(
  fn: FunctionName,
  architecture: Architecture,
  root: string = ROOT,
  cache: string = join(tmpdir(), `cognito-reset-${UID < 0 ? 'user' : UID}`),
): string {
  const built = binaries(root).binaries[architecture];
  const binary = built?.[fn];
  if (!built || !binary) {
    const carried = Object.keys(binaries(root).binaries).join(', ') || 'none';
    throw new Error(
      `cognito-reset: this package carries no ${fn} for ${architecture} (architectures: ${carried})`,
    );
  }
  const base = privateFolder(cache);
  const folder = join(base, binary.sha256);
  const target = join(folder, 'bootstrap');
  if (holds(target, binary)) return folder;

  const bootstrap = brotliDecompressSync(readFileSync(join(root, 'bin', architecture, `${fn}.br`)));
  const sha256 = createHash('sha256').update(bootstrap).digest('hex');
  if (sha256 !== binary.sha256 || bootstrap.length !== binary.size) {
    throw new Error(`cognito-reset: bin/${architecture}/${fn}.br does not match bin/manifest.json (a damaged install?)`);
  }
  // Written in a fresh folder of its own, then renamed into place: a concurrent synth never
  // hashes or ships half a binary, and nothing else can be at that path.
  const staging = mkdtempSync(join(base, 'partial-'));
  try {
    writeFileSync(join(staging, 'bootstrap'), bootstrap, { mode: 0o755, flag: 'wx' });
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    // Atomic: a concurrent synth sees the old file or this one, never a mix.
    renameSync(join(staging, 'bootstrap'), target);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  if (!holds(target, binary)) throw new Error(`cognito-reset: ${target} changed while it was written`);
  return folder;
}
