import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

/**
 * The command `npm start` runs (package.json `scripts.start`, e.g. `node --flag dist/main.js`) as
 * [executable, ...arguments] with this Node as the executable, so the benchmark and the chaos run
 * start the service exactly as a user does, V8 flags included. `extraNodeArgs` go before the
 * script (profiling).
 */
export function startCommand(extraNodeArgs: string[] = []): [string, string[]] {
  const script = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const [program, ...args] = script.trim().split(/\s+/);
  if (program !== 'node') throw new Error(`npm start runs "${script}", not node: the harness cannot start it the same way`);
  const entry = args.findIndex((arg) => !arg.startsWith('-'));
  return [process.execPath, [...args.slice(0, entry), ...extraNodeArgs, ...args.slice(entry).map((arg, i) => (i === 0 ? join(ROOT, arg) : arg))]];
}
