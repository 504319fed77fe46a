import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { dataSourceOptions, migrateWithLock } from './data-source-options';

/**
 * Connects to `config.database.url` (set by `main.ts` to the embedded server when
 * `DATABASE_URL` is unset) and brings the schema up to date before anything else runs.
 */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        if (!config.database.url) throw new Error('No database URL: set DATABASE_URL or start through main.ts');
        return { ...dataSourceOptions(config.database.url, config.database.poolSize, config.database.poolTimeoutMs), autoLoadEntities: true, entities: [] };
      },
      dataSourceFactory: async (options) => {
        const dataSource = await new DataSource(options!).initialize();
        await migrateWithLock(dataSource);
        return dataSource;
      },
    }),
  ],
})
export class DatabaseModule {}
