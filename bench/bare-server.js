// The ceiling for the benchmark: a bare Fastify 5 server with the chatbot's two routes, answering
// the same JSON bytes the service sends (OWNER_JSON, ASSISTANT_JSON), in its own process. The POST
// parses its JSON body like the webhook does. Prints `READY <port>` once listening.
const fastify = require('fastify');

const app = fastify({ logger: false, bodyLimit: 64 * 1024 });
const owner = process.env.OWNER_JSON;
const assistant = process.env.ASSISTANT_JSON;
app.get('/chatbot/lookup', (_request, reply) => reply.header('content-type', 'application/json; charset=utf-8').send(owner));
app.post('/vapi/webhook', (_request, reply) => reply.header('content-type', 'application/json; charset=utf-8').send(assistant));
app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' }).then(() => {
  process.stdout.write(`READY ${app.server.address().port}\n`);
});
