import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { AppConfig, ConfigError, loadConfig } from './config/app-config';
import { EmbeddedPostgresServer } from './database/embedded-postgres.server';

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
  // The embedded server goes down after the app has closed its connections.
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received, shutting down`);
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
