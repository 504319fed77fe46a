import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { AppConfig, ConfigError, loadConfig } from './config/app-config';
import { EmbeddedPostgresServer } from './database/embedded-postgres.server';
import { Readiness } from './modules/health/readiness';
import { setTimeout as sleep } from 'node:timers/promises';

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = new Logger('Bootstrap');

  // Without DATABASE_URL, run our own PostgreSQL with its data under DATA_DIR.
  let embedded: EmbeddedPostgresServer | undefined;
  if (!config.database.url) {
    embedded = new EmbeddedPostgresServer({
      dataDir: config.database.dataDir,
      port: config.database.embeddedPort,
      database: 'phone_numbers',
      runtimeDir: config.database.embeddedRuntimeDir,
      log: (message) => (config.logLevel === 'debug' || config.logLevel === 'trace') && process.stderr.write(`[postgres] ${message}\n`),
    });
    const url = await embedded.start();
    config = new AppConfig({ ...config, database: { ...config.database, url } });
    logger.log(`embedded PostgreSQL on 127.0.0.1:${config.database.embeddedPort}, data in ${embedded.cluster}`);
  }

  const app = await createApp(config).catch(async (error: unknown) => {
    await embedded?.stop();
    throw error;
  });
  // Graceful shutdown. Readiness answers 503 at once, so a balancer stops sending; after
  // SHUTDOWN_DELAY_MS the listener closes (new connections are refused) and Fastify lets every
  // request in flight finish; only then do the lifecycle hooks close the pool, the change feed and
  // Redis, and the embedded server (if any) goes down last. The same hooks `enableShutdownHooks`
  // would run, through this one handler so the embedded server stops after them.
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.get(Readiness).accepting = false;
    logger.log(`${signal} received: not ready; closing the listener in ${config.shutdownDelayMs} ms, then draining`);
    if (config.shutdownDelayMs > 0) await sleep(config.shutdownDelayMs);
    await app.close();
    await embedded?.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  await app.listen(config.port, config.host);
  logger.log(`listening on http://${config.host}:${config.port} (docs at /docs, telephony ${config.telephony.mode})`);
}

main().catch((error: unknown) => {
  process.stderr.write(`Failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
