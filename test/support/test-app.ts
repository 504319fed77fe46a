import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { ApiKeysService } from '../../src/modules/auth/api-keys.service';
import { Factories, TEST_JWT_SECRET } from './factories';
import { HttpClient } from './http-client';
import { createTestDatabase } from './test-database';

/**
 * `pg` warns (once) when a query is queued on a client already busy with two: a query issued on
 * a connection that is not, or no longer, its issuer's (a fire-and-forget write on a transaction's
 * connection, a client handed back to the pool too early). Any suite that provokes it fails at close.
 */
const connectionMisuse: string[] = [];
process.on('warning', (warning) => {
  if (/already executing a query/.test(warning.message)) connectionMisuse.push(warning.stack ?? warning.message);
});

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  http: HttpClient;
  dataSource: DataSource;
  factories: Factories;
  /** An admin-scoped API key. */
  adminKey: string;
  databaseUrl: string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Extra environment for `loadConfig`. */
  env?: Record<string, string | undefined>;
  /** Reuse a database (another instance on the same data); default: a fresh one. */
  databaseUrl?: string;
}

/**
 * Boots the real application (AppModule, pipes, filters, guards) on its own database and
 * listens on a loopback port, so tests talk to it over HTTP like any caller.
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.databaseUrl ? undefined : await createTestDatabase();
  const databaseUrl = options.databaseUrl ?? database!.url;
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    JWT_SECRET: TEST_JWT_SECRET,
    TELEPHONY_MODE: 'sandbox',
    // Generous limits so suites firing many requests from one address are not throttled;
    // test/security/rate-limits.e2e-spec.ts sets tight ones.
    RATE_LIMIT_READ: '0',
    RATE_LIMIT_WRITE: '100000',
    RATE_LIMIT_ADMIN_WRITE: '100000',
    RATE_LIMIT_AUTH_FAILURES: '100000',
    ...options.env,
    DATABASE_URL: databaseUrl,
  });
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const dataSource = app.get<DataSource>(getDataSourceToken());
  const factories = new Factories(dataSource, app.get(ApiKeysService));
  const { key: adminKey } = await factories.apiKey(['admin']);
  return {
    app,
    config,
    http: new HttpClient(`http://127.0.0.1:${address.port}`),
    dataSource,
    factories,
    adminKey,
    databaseUrl,
    close: async () => {
      await app.close();
      await database?.drop();
      if (connectionMisuse.length) throw new Error(`a query was issued on a busy pg client:\n${connectionMisuse.join('\n')}`);
    },
  };
}
