import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** Env variables the global setup hands to every test worker. */
export const SERVER_URL_ENV = 'PN_TEST_SERVER_URL';
export const TEMPLATE_ENV = 'PN_TEST_TEMPLATE_DB';

/** The URL of `database` on the server whose URL is `serverUrl`. */
export function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withClient<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh database for one test file, cloned from the migrated template. Its name always
 * contains "test", so a misconfigured run can never touch a real database.
 */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const serverUrl = process.env[SERVER_URL_ENV];
  const template = process.env[TEMPLATE_ENV];
  if (!serverUrl || !template) throw new Error('The jest global setup did not run (no test database server).');
  const name = `pn_test_${randomBytes(6).toString('hex')}`;
  for (let attempt = 0; ; attempt++) {
    try {
      await withClient(serverUrl, (c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
      break;
    } catch (error) {
      // Another worker may be cloning the template at this instant.
      if (attempt >= 20 || !/being accessed by other users/.test(String(error))) throw error;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
  return {
    url: withDatabase(serverUrl, name),
    drop: () => withClient(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
