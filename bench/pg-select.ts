/**
 * The database ceiling for the cache-off lookup, `pgbench -S` style: single-row selects by a
 * unique key through `pg`, from one Node process, with as many connections as the lookup's own
 * pool (`CHATBOT_DB_POOL_SIZE`, default 4) and as many requests in flight as the load generator
 * has connections. Each select is a named (prepared) statement with a random number of the sample.
 *
 * Reads a JSON `{ url, phones, durationSeconds, poolSize, inFlight }` on stdin; prints one JSON
 * line `{ requestsPerSec, latencyAvgMs, p99Ms, total, errors }`.
 */
import { Pool } from 'pg';

interface Input {
  url: string;
  phones: string[];
  durationSeconds: number;
  poolSize: number;
  inFlight: number;
  /** Another named statement taking the phone number as $1 (default: the single-row select). */
  statement?: { name: string; text: string };
  /** The statement takes a text array (`= ANY($1)`): each select passes a one-number array. */
  arrayParam?: boolean;
}

async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const input = JSON.parse(Buffer.concat(chunks).toString()) as Input;
  const pool = new Pool({ connectionString: input.url, max: input.poolSize });
  const statement = input.statement ?? { name: 'bench_single_row', text: 'SELECT id, property_manager_id FROM purchased_phone_numbers WHERE phone_number = $1' };
  const select = (phone: string) => pool.query({ ...statement, values: [input.arrayParam ? [phone] : phone] });
  // Warm: every connection opened and the statement prepared on each.
  await Promise.all(Array.from({ length: input.poolSize * 4 }, (_, i) => select(input.phones[i % input.phones.length])));

  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + input.durationSeconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const started = performance.now();
      try {
        await select(input.phones[Math.floor(Math.random() * input.phones.length)]);
        latencies.push(performance.now() - started);
      } catch {
        errors++;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: input.inFlight }, worker));
  const elapsed = (performance.now() - started) / 1000;
  await pool.end();
  latencies.sort((a, b) => a - b);
  const sum = latencies.reduce((a, b) => a + b, 0);
  process.stdout.write(
    `${JSON.stringify({
      requestsPerSec: Math.round(latencies.length / elapsed),
      latencyAvgMs: latencies.length ? Math.round((sum / latencies.length) * 100) / 100 : 0,
      p50Ms: latencies.length ? Math.round(latencies[Math.floor(latencies.length * 0.5)]) : 0,
      p99Ms: latencies.length ? Math.round(latencies[Math.floor(latencies.length * 0.99)]) : 0,
      total: latencies.length,
      errors,
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`pg-select failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
