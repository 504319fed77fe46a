#!/usr/bin/env node
/**
 * Builds dist/ with `nest build` unless it was built from exactly the current sources (a hash of
 * src/, the TypeScript and Nest configs and the lockfile, kept in dist/.source-hash). Runs at
 * install (`prepare`) and before `npm start`, so a start only rebuilds after a change.
 * Skips quietly where there is nothing to build (no src/, e.g. Docker's dependency layer).
 */
'use strict';
const { createHash } = require('node:crypto');
const { existsSync, readdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname, '..');
const stamp = join(root, 'dist', '.source-hash');
const inputs = ['src', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json', 'package-lock.json'];

if (!existsSync(join(root, 'src'))) process.exit(0);
if (!existsSync(join(root, 'node_modules', '@nestjs', 'cli'))) {
  // A production install (--omit=dev) cannot build; whatever dist/ holds is what runs.
  if (existsSync(join(root, 'dist', 'main.js'))) process.exit(0);
  console.error('dist/ is missing and @nestjs/cli is not installed: run `npm install` (with dev dependencies), then `npm run build`.');
  process.exit(1);
}

function files(path) {
  const full = join(root, path);
  if (!existsSync(full)) return [];
  const walk = (dir) =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
  return require('node:fs').statSync(full).isDirectory() ? walk(full) : [full];
}

const hash = createHash('sha256');
for (const file of inputs.flatMap(files).filter((f) => !f.endsWith('.spec.ts')).sort()) {
  hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
}
const current = hash.digest('hex');
const built = existsSync(stamp) && existsSync(join(root, 'dist', 'main.js')) ? readFileSync(stamp, 'utf8').trim() : '';
if (built === current && !process.argv.includes('--force')) process.exit(0);

console.error(built ? 'Sources changed since the last build: building…' : 'Building the service (once; later starts reuse dist/)…');
const result = spawnSync(process.execPath, [require.resolve('@nestjs/cli/bin/nest.js', { paths: [root] }), 'build'], {
  cwd: root,
  stdio: 'inherit',
});
if (result.status !== 0) process.exit(result.status ?? 1);
writeFileSync(stamp, current + '\n');
