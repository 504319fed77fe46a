// The benchmark's load generator, in a process of its own: autocannon with nothing else on its
// event loop or heap (the bench's own process holds database clients, the seed and the results, and
// its pauses would be measured as the server's latency). Reads one JSON job on stdin:
// { url, connections, duration, method, path | paths, bodies?, headers? } — a random path or body
// per request — and prints autocannon's result as JSON on stdout.
const autocannon = require('autocannon');

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', () => {
  const job = JSON.parse(input);
  const pick = (list) => list[Math.floor(Math.random() * list.length)];
  const request = {
    method: job.method,
    path: job.path ?? job.paths[0],
    ...(job.headers ? { headers: job.headers } : {}),
    setupRequest: (next) => {
      if (job.paths) next.path = pick(job.paths);
      if (job.bodies) next.body = pick(job.bodies);
      return next;
    },
  };
  autocannon({ url: job.url, connections: job.connections, duration: job.duration, pipelining: 1, requests: [request] }, (error, result) => {
    if (error) {
      process.stderr.write(`${error.stack ?? error}\n`);
      process.exit(1);
    }
    process.stdout.write(JSON.stringify(result));
  });
});
