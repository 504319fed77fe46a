/**
 * Brings an existing deployment of the old system in (README "Switching over"):
 *
 *   npm run import-legacy -- --source <postgres-url> [--schema public] [--dry-run] [--report <file.json>]
 *
 * Writes into the database `npm start` uses (DATABASE_URL, else the embedded one under DATA_DIR,
 * started here), after running the migrations. Exit 0: imported (or would, with --dry-run);
 * 1: refused or failed, nothing written; 2: bad usage.
 */
import { Module, DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AppConfig, ConfigError, loadConfig } from '../config/app-config';
import { ConfigModule } from '../config/config.module';
import { ChangeFeedModule } from '../database/change-feed.module';
import { DatabaseModule } from '../database/database.module';
import { EmbeddedPostgresServer } from '../database/embedded-postgres.server';
import { TransactionsModule } from '../database/transactions';
import { AuditModule } from '../modules/audit/audit.module';
import { LegacyImportModule } from '../modules/legacy-import/legacy-import.module';
import { formatRefusal, formatReport, reportJson } from '../modules/legacy-import/legacy-import.report';
import { ImportRefused, LegacyImportService } from '../modules/legacy-import/legacy-import.service';
import { SourceSchemaError } from '../modules/legacy-import/legacy-source.reader';

const USAGE = 'usage: npm run import-legacy -- --source <postgres-url> [--schema public] [--dry-run] [--report <file.json>]\n';

/** Only what the import needs: configuration, the database (migrated), transactions, the numbers module (and what it uses). */
@Module({})
class ImportLegacyCliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: ImportLegacyCliModule, imports: [ConfigModule.forRoot(config), DatabaseModule, TransactionsModule, ChangeFeedModule, AuditModule, LegacyImportModule] };
  }
}

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let args: { source?: string; schema?: string; 'dry-run'?: boolean; report?: string; help?: boolean };
  try {
    args = parseArgs({
      args: argv,
      options: { source: { type: 'string' }, schema: { type: 'string' }, 'dry-run': { type: 'boolean' }, report: { type: 'string' }, help: { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!args.source || !/^postgres(ql)?:\/\//.test(args.source)) {
    process.stderr.write(`--source must be a postgres:// URL\n${USAGE}`);
    return 2;
  }
  if (args.schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/.test(args.schema)) {
    process.stderr.write(`--schema must be a plain schema name\n${USAGE}`);
    return 2;
  }

  let config: AppConfig;
  try {
    config = loadConfig({ LOG_LEVEL: 'warn', ...env });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }

  let embedded: EmbeddedPostgresServer | undefined;
  try {
    if (!config.database.url) {
      embedded = new EmbeddedPostgresServer({ dataDir: config.database.dataDir, port: config.database.embeddedPort, database: 'phone_numbers' });
      const url = await embedded.start().catch((error: Error) => {
        embedded = undefined;
        // "in use by another running instance": the service holds it.
        throw new Error(/in use by another running instance/.test(error.message) ? `The service is running on ${config.database.dataDir}: stop it first (or set DATABASE_URL to its database).` : error.message.split('\n')[0]);
      });
      config = new AppConfig({ ...config, database: { ...config.database, url } });
    }
    const app = await NestFactory.createApplicationContext(ImportLegacyCliModule.forRoot(config), { logger: ['error'], abortOnError: false });
    try {
      const report = await app.get(LegacyImportService).run({ source: args.source, schema: args.schema, dryRun: args['dry-run'] });
      process.stdout.write(formatReport(report));
      if (args.report) writeFileSync(args.report, JSON.stringify(reportJson(report), null, 2) + '\n');
      return 0;
    } catch (error) {
      if (error instanceof ImportRefused) {
        process.stderr.write(formatRefusal(error.message, error.problems));
        if (args.report) writeFileSync(args.report, JSON.stringify({ refused: error.message, problems: error.problems }, null, 2) + '\n');
        return 1;
      }
      throw error;
    } finally {
      await app.close();
    }
  } catch (error) {
    const message = error instanceof SourceSchemaError ? error.message : `Import failed, nothing written: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
    process.stderr.write(`${message}\n`);
    return 1;
  } finally {
    await embedded?.stop();
  }
}

if (require.main === module) {
  main(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`Import failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
