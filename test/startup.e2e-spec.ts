import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './support/free-port';

const root = resolve(__dirname, '..');

/** Runs `src/main.ts` as `npm start` would, with no DATABASE_URL: the embedded PostgreSQL. */
function startService(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'development', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return { child, output: () => output };
}

async function waitForHealth(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`service exited early:\n${output()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (res.status === 200) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`service did not become healthy:\n${output()}`);
}

const exited = (child: ChildProcess) => new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));

/**
 * The two-command promise: with no database configured the service runs on an embedded
 * PostgreSQL under DATA_DIR, keeps data across restarts, and recovers from a `kill -9` that
 * left the database server running.
 */
describe('start-up on the embedded PostgreSQL', () => {
  let dataDir: string;
  const children: ChildProcess[] = [];

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'pn-start-'));
    chmodSync(dataDir, 0o755);
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts, prints a bootstrap admin key, keeps data across a kill -9 and a graceful restart', async () => {
    const port = await freePort();
    const env = { DATA_DIR: dataDir, PORT: String(port), EMBEDDED_PG_PORT: String(await freePort()) };

    const first = startService(env);
    children.push(first.child);
    await waitForHealth(port, first.child, first.output);
    const key = first.output().match(/X-API-Key: (pnk_\S+)/)?.[1];
    expect(key).toBeDefined();
    const created = await fetch(`http://127.0.0.1:${port}/admin/property-managers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key! },
      body: JSON.stringify({ name: 'John Smith', email: 'john@example.com' }),
    });
    expect(created.status).toBe(201);

    // kill -9 leaves the embedded PostgreSQL orphaned, holding the port and data directory.
    first.child.kill('SIGKILL');
    await exited(first.child);

    const second = startService(env);
    children.push(second.child);
    await waitForHealth(port, second.child, second.output);
    expect(second.output()).not.toMatch(/X-API-Key/);
    const listed = await fetch(`http://127.0.0.1:${port}/admin/property-managers`, { headers: { 'x-api-key': key! } });
    expect(((await listed.json()) as any).property_managers.map((p: { name: string }) => p.name)).toEqual(['John Smith']);

    // A graceful stop takes the embedded server down with it.
    second.child.kill('SIGTERM');
    await exited(second.child);
    expect(second.child.exitCode).toBe(0);

    const third = startService(env);
    children.push(third.child);
    await waitForHealth(port, third.child, third.output);
    const again = await fetch(`http://127.0.0.1:${port}/admin/property-managers`, { headers: { 'x-api-key': key! } });
    expect(((await again.json()) as any).property_managers).toHaveLength(1);
    third.child.kill('SIGTERM');
    await exited(third.child);
  });
});
