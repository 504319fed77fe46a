#!/usr/bin/env node
/**
 * Regenerates the trimmed contracts in this folder from the providers' full OpenAPI documents:
 * keeps the operations the service calls and the component schemas they reference, drops examples.
 *
 *   node test/support/contracts/trim-contract.js twilio path/to/twilio_api_v2010.json
 *   node test/support/contracts/trim-contract.js vapi path/to/openapi.yaml   # a JSON document despite the name
 */
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const OPERATIONS = {
  twilio: {
    file: 'twilio_api_v2010.json',
    paths: {
      '/2010-04-01/Accounts/{AccountSid}/AvailablePhoneNumbers/{CountryCode}/Local.json': ['get'],
      '/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json': ['get', 'post'],
      '/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json': ['post', 'delete'],
      '/2010-04-01/Accounts/{AccountSid}/Messages.json': ['post'],
    },
  },
  vapi: {
    file: 'vapi_openapi.json',
    paths: { '/phone-number': ['post', 'get'], '/phone-number/{id}': ['get', 'patch', 'delete'] },
  },
};

function trim(doc, keep) {
  const out = { openapi: doc.openapi, info: doc.info, servers: doc.servers, paths: {}, components: { securitySchemes: doc.components.securitySchemes, schemas: {} } };
  const seen = new Set();
  const walk = (node) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') {
        const name = value.replace('#/components/schemas/', '');
        if (!seen.has(name)) {
          seen.add(name);
          walk(doc.components.schemas[name]);
        }
      } else walk(value);
    }
  };
  const withoutExamples = (node) => JSON.parse(JSON.stringify(node, (key, value) => (key === 'examples' || key === 'example' ? undefined : value)));
  for (const [path, methods] of Object.entries(keep)) {
    const item = doc.paths[path];
    out.paths[path] = {};
    for (const key of ['servers', 'parameters']) if (item[key]) out.paths[path][key] = item[key];
    for (const method of methods) {
      out.paths[path][method] = withoutExamples(item[method]);
      walk(out.paths[path][method]);
    }
  }
  for (const name of [...seen].sort()) out.components.schemas[name] = withoutExamples(doc.components.schemas[name]);
  return out;
}

const [provider, source] = process.argv.slice(2);
const target = OPERATIONS[provider];
if (!target || !source) {
  console.error('usage: trim-contract.js twilio|vapi <full OpenAPI JSON document>');
  process.exit(2);
}
const trimmed = trim(JSON.parse(readFileSync(source, 'utf8')), target.paths);
writeFileSync(join(__dirname, target.file), `${JSON.stringify(trimmed, null, 2)}\n`);
console.log(`${target.file}: ${Object.keys(trimmed.paths).length} paths, ${Object.keys(trimmed.components.schemas).length} schemas`);
