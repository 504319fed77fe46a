import { DataSource } from 'typeorm';
import { dataSourceOptions } from './src/database/data-source-options';

/**
 * For the TypeORM CLI (`npm run typeorm -- migration:run`, `migration:generate`).
 * Needs DATABASE_URL: the CLI does not start the embedded server.
 */
const url = process.env.DATABASE_URL;
if (!url) throw new Error('Set DATABASE_URL to run the TypeORM CLI');
export default new DataSource(dataSourceOptions(url));
