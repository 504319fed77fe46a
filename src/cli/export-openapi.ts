import { writeFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../app.module';
import { loadConfig } from '../config/app-config';
import { createOpenApiDocument } from '../swagger';

/**
 * Writes the OpenAPI document (as served at /docs-json, with a relative server URL) without a
 * database: the application is assembled in Nest's preview mode, where nothing is instantiated.
 * Usage: `npm run openapi:export [-- <file>]` (default: client/openapi.json).
 */
async function main(): Promise<void> {
  const file = process.argv[2] ?? 'client/openapi.json';
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: 'postgres://unused/none' });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), new FastifyAdapter(), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  const document = createOpenApiDocument(app);
  writeFileSync(file, JSON.stringify(document, null, 2) + '\n');
  await app.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`openapi:export failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
