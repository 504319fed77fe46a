/**
 * A server for the benchmark, run as a child process so the load generator does not share its
 * event loop: `bare` is a plain Fastify JSON route (the ceiling), `app` is the real application
 * configured from the environment. Prints `READY <port>` once listening.
 */
import 'reflect-metadata';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/app-config';

async function main(): Promise<void> {
  const mode = process.argv[2];
  const port = Number(process.env.PORT ?? 0);
  let address: { port: number };
  if (mode === 'bare') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fastify = require('fastify') as (opts?: object) => any;
    const app = fastify({ logger: false });
    app.get('/ping', async () => ({ phone_number: '+14125551234', owner_type: 'realtor', owner_id: 1 }));
    // The same with a JSON body to parse: the fair ceiling for the webhook, which is a POST.
    app.post('/ping', async () => ({ phone_number: '+14125551234', owner_type: 'realtor', owner_id: 1 }));
    await app.listen({ port, host: '127.0.0.1' });
    address = app.server.address() as { port: number };
  } else if (mode === 'app') {
    const app = await createApp(loadConfig(process.env));
    await app.listen(port, '127.0.0.1');
    address = app.getHttpServer().address() as { port: number };
    process.once('SIGTERM', () => {
      setTimeout(() => process.exit(0), 3000).unref();
      void app.close().finally(() => process.exit(0));
    });
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  // Never outlive the benchmark that started us.
  process.once('disconnect', () => process.exit(0));
  process.stdout.write(`READY ${address.port}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench server failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
