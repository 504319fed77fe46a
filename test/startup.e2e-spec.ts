import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';
import { buildService, freePort } from './support/service-process';

const root = resolve(__dirname, '..');

// Each test starts the service (and PostgreSQL) several times; as root from a checkout in a 0700
// directory the first start also copies the PostgreSQL binaries. Generous limits for a loaded machine.
jest.setTimeout(300_000);

let service: { entry: string; remove: () => void };
beforeAll(() => {
  service = buildService();
});
afterAll(() => service.remove());

/** Runs `src/main.ts` (transpiled once, as `npm start` runs dist/) with no DATABASE_URL: the embedded PostgreSQL. */
function startService(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, [service.entry], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'development', LOG_LEVEL: 'warn', NODE_PATH: join(root, 'node_modules'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return { child, output: () => output };
}

async function waitForHealth(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 150_000;
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

/**
 * As root (a fresh VM, a container, CI) PostgreSQL runs as the `postgres` OS user, which cannot
 * enter a 0700 directory such as root's home: the cluster then lives under the runtime directory,
 * owned by `postgres`, and DATA_DIR records where. Not as root, the same start simply uses DATA_DIR.
 */
describe('start-up with DATA_DIR inside a 0700 directory', () => {
  let privateParent: string;
  let runtimeDir: string;
  const children: ChildProcess[] = [];
  const isRoot = process.getuid?.() === 0;
  // The service's own temporary directory, so files of other processes on the machine do not count.
  let serviceTmp: string;
  const leftInTmp = () => readdirSync(serviceTmp).filter((f) => /^(pg-password|pn-pg-init)/.test(f));

  beforeAll(() => {
    privateParent = mkdtempSync(join(tmpdir(), 'pn-private-')); // mode 0700
    runtimeDir = mkdtempSync(join(tmpdir(), 'pn-runtime-'));
    chmodSync(runtimeDir, 0o755);
    serviceTmp = mkdtempSync(join(tmpdir(), 'pn-service-tmp-'));
    chmodSync(serviceTmp, 0o1777);
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(privateParent, { recursive: true, force: true });
    rmSync(runtimeDir, { recursive: true, force: true });
    rmSync(serviceTmp, { recursive: true, force: true });
  });

  it('starts, keeps its data across a restart, and writes no secret readable by others', async () => {
    expect(statSync(privateParent).mode & 0o777).toBe(0o700);
    const dataDir = join(privateParent, 'data');
    const port = await freePort();
    const env = { TMPDIR: serviceTmp, DATA_DIR: dataDir, EMBEDDED_PG_RUNTIME_DIR: runtimeDir, PORT: String(port), EMBEDDED_PG_PORT: String(await freePort()) };

    const first = startService(env);
    children.push(first.child);
    await waitForHealth(port, first.child, first.output);
    const key = first.output().match(/X-API-Key: (pnk_\S+)/)?.[1];
    const created = await fetch(`http://127.0.0.1:${port}/admin/property-managers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key! },
      body: JSON.stringify({ name: 'Ada Root', email: 'ada@example.com' }),
    });
    expect(created.status).toBe(201);
    first.child.kill('SIGTERM');
    await exited(first.child);
    expect(first.child.exitCode).toBe(0);

    const cluster = isRoot ? readFileSync(join(dataDir, 'pg-location'), 'utf8').split('\n')[0] : join(dataDir, 'pg');
    if (isRoot) expect(cluster.startsWith(runtimeDir + '/')).toBe(true);
    expect(existsSync(join(cluster, 'PG_VERSION'))).toBe(true);
    expect(statSync(join(dataDir, 'pg-password')).mode & 0o077).toBe(0);
    expect(leftInTmp()).toEqual([]);

    const second = startService(env);
    children.push(second.child);
    await waitForHealth(port, second.child, second.output);
    const listed = await fetch(`http://127.0.0.1:${port}/admin/property-managers`, { headers: { 'x-api-key': key! } });
    expect(((await listed.json()) as any).property_managers.map((p: { name: string }) => p.name)).toEqual(['Ada Root']);
    second.child.kill('SIGTERM');
    await exited(second.child);

    // DATA_DIR deleted (pointer and password gone): the next start begins empty, and as root the
    // old cluster it can no longer open is kept aside, not reused with the wrong password.
    rmSync(dataDir, { recursive: true, force: true });
    const third = startService(env);
    children.push(third.child);
    await waitForHealth(port, third.child, third.output);
    expect(third.output()).toMatch(/X-API-Key: pnk_/);
    if (isRoot) expect(third.output()).toContain(`moved to ${cluster}.previous-`);
    third.child.kill('SIGTERM');
    await exited(third.child);
  });

  it('a directory problem ends in one line naming the path, and leaves no secret behind', async () => {
    // A runtime directory that is a file: as root the cluster cannot be placed; otherwise DATA_DIR itself is the file.
    const blocker = join(runtimeDir, 'not-a-directory');
    writeFileSync(blocker, '');
    const env: Record<string, string> = isRoot
      ? { TMPDIR: serviceTmp, DATA_DIR: join(privateParent, 'other-data'), EMBEDDED_PG_RUNTIME_DIR: join(blocker, 'rt'), PORT: String(await freePort()) }
      : { TMPDIR: serviceTmp, DATA_DIR: join(blocker, 'data'), PORT: String(await freePort()) };
    const failed = startService(env);
    children.push(failed.child);
    await exited(failed.child);
    expect(failed.child.exitCode).toBe(1);
    const lines = failed.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Failed to start: .*not-a-directory.*: (create it|fix its permissions)/);
    expect(failed.output()).not.toMatch(/\n\s+at /);
    expect(leftInTmp()).toEqual([]);
  });

  it('a failure after initdb (the port is taken) removes the initdb password file and prints no stack', async () => {
    const holder = createServer();
    const takenPort = await freePort();
    await new Promise<void>((r) => holder.listen(takenPort, '127.0.0.1', () => r()));
    try {
      const failed = startService({
        TMPDIR: serviceTmp,
        DATA_DIR: join(privateParent, 'port-taken'),
        EMBEDDED_PG_RUNTIME_DIR: runtimeDir,
        EMBEDDED_PG_PORT: String(takenPort),
        PORT: String(await freePort()),
      });
      children.push(failed.child);
      await exited(failed.child);
      expect(failed.child.exitCode).toBe(1);
      expect(failed.output()).toMatch(/^Failed to start: Embedded PostgreSQL did not start on 127\.0\.0\.1:\d+ \(is the port taken\? set EMBEDDED_PG_PORT\)/);
      expect(failed.output()).not.toMatch(/\n\s+at /);
      expect(leftInTmp()).toEqual([]);
    } finally {
      holder.close();
    }
  });
});
