import { appendFileSync } from 'node:fs';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * Checks responses against the OpenAPI document of the application that gave them (its
 * /docs-json): the status is documented, the content type is one the document lists, and the
 * body matches the schema. Every e2e request made through `HttpClient` or the generated client
 * (`validatingFetch`) goes through here, so the code and the document cannot drift apart.
 *
 * Requests to paths or methods the document does not describe (unknown routes, /docs, CORS
 * preflights) are not checked. Each checked response is counted in the file named by
 * OPENAPI_CONFORMANCE_COUNT_FILE (set by the jest global setup, which prints the total).
 */
export const CONFORMANCE_COUNT_ENV = 'OPENAPI_CONFORMANCE_COUNT_FILE';

type Schema = Record<string, unknown>;
type Operation = {
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
};
interface Route {
  method: string;
  pattern: RegExp;
  operation: Operation;
  path: string;
}

export class OpenApiConformanceError extends Error {}

class Checker {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly routes: Route[] = [];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(document: { paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, Schema> } }) {
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: 'openapi.json', components: { schemas: toJsonSchema(document.components?.schemas ?? {}) } });
    for (const [path, item] of Object.entries(document.paths)) {
      const pattern = new RegExp('^' + path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+').replace(/\{[^}]+\}/g, '[^/]+') + '$');
      for (const [method, operation] of Object.entries(item)) {
        this.routes.push({ method: method.toUpperCase(), pattern, operation, path });
      }
    }
  }

  /** Returns false when the document does not describe the request (nothing checked). */
  check(method: string, url: string, status: number, contentType: string | null, text: string): boolean {
    const pathname = new URL(url).pathname;
    const route = this.routes.find((r) => r.method === method.toUpperCase() && r.pattern.test(pathname));
    if (!route) return false;
    const where = `${method.toUpperCase()} ${pathname} → ${status}`;
    const documented = route.operation.responses[String(status)] ?? route.operation.responses.default;
    if (!documented) {
      throw new OpenApiConformanceError(`${where}: status ${status} is not documented for ${route.path} (documented: ${Object.keys(route.operation.responses).join(', ')})`);
    }
    if (!text) return true;
    const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
    const content = documented.content ?? {};
    if (!content[mediaType]) {
      throw new OpenApiConformanceError(`${where}: content type "${mediaType}" is not documented (documented: ${Object.keys(content).join(', ') || 'no body'})`);
    }
    const schema = content[mediaType].schema;
    if (!schema || !mediaType.includes('json')) return true;
    const key = `${route.method} ${route.path} ${status} ${mediaType}`;
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(toJsonSchema(schema));
      this.validators.set(key, validate);
    }
    const body: unknown = JSON.parse(text);
    if (!validate(body)) {
      const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`);
      throw new OpenApiConformanceError(`${where}: the body does not match the documented schema: ${errors.join('; ')}\nbody: ${text.slice(0, 500)}`);
    }
    return true;
  }
}

/** OpenAPI 3.0 schema → JSON Schema: `nullable`, and references into the shared components. */
function toJsonSchema<T>(value: T): T {
  if (Array.isArray(value)) return value.map(toJsonSchema) as T;
  if (!value || typeof value !== 'object') return value;
  const out: Schema = {};
  for (const [key, child] of Object.entries(value as Schema)) {
    if (key === '$ref' && typeof child === 'string' && child.startsWith('#/components/')) out.$ref = `openapi.json${child}`;
    else if (key !== 'nullable' && key !== 'example' && key !== 'examples') out[key] = toJsonSchema(child);
  }
  if ((value as Schema).nullable === true) return { anyOf: [out, { type: 'null' }] } as T;
  return out as T;
}

const checkers = new Map<string, Promise<Checker>>();

function checkerFor(origin: string): Promise<Checker> {
  let checker = checkers.get(origin);
  if (!checker) {
    checker = fetch(`${origin}/docs-json`).then(async (res) => {
      if (res.status !== 200) throw new Error(`no OpenAPI document at ${origin}/docs-json (${res.status})`);
      return new Checker((await res.json()) as ConstructorParameters<typeof Checker>[0]);
    });
    checkers.set(origin, checker);
  }
  return checker;
}

/** Checks one response; throws OpenApiConformanceError on a mismatch. */
export async function checkResponse(method: string, url: string, status: number, contentType: string | null, text: string): Promise<void> {
  const origin = new URL(url).origin;
  const checked = (await checkerFor(origin)).check(method, url, status, contentType, text);
  const countFile = process.env[CONFORMANCE_COUNT_ENV];
  if (countFile) appendFileSync(countFile, checked ? 'c' : 'u');
}

/** A `fetch` that checks every response it returns (for the generated client). */
export const validatingFetch: typeof fetch = async (input, init) => {
  const request = new Request(input, init);
  const response = await fetch(request);
  const text = await response.clone().text();
  await checkResponse(request.method, request.url, response.status, response.headers.get('content-type'), text);
  return response;
};
