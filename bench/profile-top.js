#!/usr/bin/env node
/**
 * Sums up a V8 CPU profile (`node --cpu-prof`, as `BENCH_PROFILE` makes them): the share of samples
 * spent in each package (or the project's own code, or Node's internals), then the top functions
 * by self time. Usage: node bench/profile-top.js <file.cpuprofile> [top N, default 15]
 */
const { readFileSync } = require('node:fs');

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/profile-top.js <file.cpuprofile> [N]\n');
  process.exit(2);
}
const top = Number(topArg ?? 15);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const hits = new Map();
for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
const total = profile.samples.length;

const where = (url) => {
  if (!url) return '(native / V8)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const own = /\/(dist|src)\/(.*)$/.exec(url);
  return own ? `(service) ${own[2].split('/').slice(0, -1).join('/') || own[2]}` : url;
};
const byPlace = new Map();
const byFunction = new Map();
let idle = 0;
for (const [id, count] of hits) {
  const { callFrame } = byId.get(id);
  if (callFrame.functionName === '(idle)') idle += count;
  const place = where(callFrame.url);
  byPlace.set(place, (byPlace.get(place) ?? 0) + count);
  const name = `${callFrame.functionName || '(anonymous)'} ${place}${callFrame.url ? `:${callFrame.lineNumber + 1}` : ''}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + count);
}
const busy = total - idle;
const print = (title, map) => {
  process.stdout.write(`${title}\n`);
  for (const [name, count] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`  ${((100 * count) / busy).toFixed(1).padStart(5)}%  ${name}\n`);
  }
};
process.stdout.write(`${file}: ${total} samples, ${((100 * idle) / total).toFixed(1)}% idle; shares below are of the busy samples\n`);
byPlace.delete('(native / V8)');
print('by place (self time):', byPlace);
print('top functions (self time):', new Map([...byFunction].filter(([name]) => !name.startsWith('(idle)'))));
