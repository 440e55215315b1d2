// The prebuilt functions the package carries: `bin/<arm64|x86_64>/<function>.br`, each a
// Lambda `bootstrap` for `provided.al2023` compressed with Brotli (npm's gzip alone leaves the
// package over 30 MB), and `bin/manifest.json` with each binary's SHA-256 and size. A binary is
// decompressed once, checked against the manifest, into a folder of its own named by its hash,
// which a Lambda asset can take as it is.

import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
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

/**
 * The folder holding `bootstrap` for `fn` on `architecture`, ready for `Code.fromAsset`:
 * decompressed from the package on first use into `cache` (by default a folder in the system's
 * temporary directory), named by the binary's hash, and verified against the manifest. Throws
 * when the package carries no binary for that architecture.
 */
export function bootstrapFolder(
  fn: FunctionName,
  architecture: Architecture,
  root: string = ROOT,
  cache: string = join(tmpdir(), 'cognito-reset'),
): string {
  const built = binaries(root).binaries[architecture];
  const binary = built?.[fn];
  if (!built || !binary) {
    const carried = Object.keys(binaries(root).binaries).join(', ') || 'none';
    throw new Error(
      `cognito-reset: this package carries no ${fn} for ${architecture} (architectures: ${carried})`,
    );
  }
  const folder = join(cache, binary.sha256);
  const target = join(folder, 'bootstrap');
  if (existsSync(target) && statSync(target).size === binary.size) return folder;

  const compressed = readFileSync(join(root, 'bin', architecture, `${fn}.br`));
  const bootstrap = brotliDecompressSync(compressed);
  const sha256 = createHash('sha256').update(bootstrap).digest('hex');
  if (sha256 !== binary.sha256 || bootstrap.length !== binary.size) {
    throw new Error(`cognito-reset: bin/${architecture}/${fn}.br does not match bin/manifest.json (a damaged install?)`);
  }
  mkdirSync(folder, { recursive: true });
  // Written outside the folder and renamed into it: a concurrent synth never hashes or ships
  // half a binary.
  const partial = join(cache, `${binary.sha256}.${process.pid}.partial`);
  writeFileSync(partial, bootstrap, { mode: 0o755 });
  chmodSync(partial, 0o755);
  renameSync(partial, target);
  return folder;
}
