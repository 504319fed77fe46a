import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAPIBackend, { type Document, ValidationContext } from 'openapi-backend';
import type { Provider } from './contract-ledger';

/**
 * The providers' published OpenAPI contracts (trimmed copies in `contracts/`, see its README),
 * as request validators for the stand-in servers. A request is checked like the provider's own
 * API gateway would: it must be an operation of the contract, with its path parameters
 * (e.g. `AccountSid` ^AC[0-9a-fA-F]{32}$), query parameters, content type and body
 * (JSON, or for Twilio the decoded form) as the contract describes them.
 */

export interface ContractRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  /** Decoded: parsed JSON, or the form's fields. */
  body: unknown;
}

export interface ContractCheck {
  operationId?: string;
  /** Empty when the request satisfies the contract. */
  violations: string[];
}

const FILES: Record<Provider, string> = { twilio: 'twilio_api_v2010.json', vapi: 'vapi_openapi.json' };

/**
 * Limits a contract states in prose only (a description), not in its schema; checked on top, by name.
 * Twilio, CreateIncomingPhoneNumber `FriendlyName`: "It can be up to 64 characters long."
 */
const PROSE_LIMITS: Record<Provider, Record<string, { field: string; maxLength: number; source: string }[]>> = {
  twilio: { CreateIncomingPhoneNumber: [{ field: 'FriendlyName', maxLength: 64, source: 'its description: "It can be up to 64 characters long"' }] },
  vapi: {},
};

/**
 * The stand-ins' answers checked against the response schemas. VAPI's list, get and delete answer
 * with the very objects its create answered (checked there); compiling their five-way `oneOf`
 * again would cost seconds per test file.
 */
const ANSWERS_CHECKED: Record<Provider, string[]> = {
  twilio: ['ListAvailablePhoneNumberLocal', 'CreateIncomingPhoneNumber', 'ListIncomingPhoneNumber'],
  vapi: ['PhoneNumberController_create'],
};

const E164 = /^\+[1-9]\d{1,14}$/;

/** Formats the contracts use beyond JSON Schema's own; what each means is taken from its description. */
function addContractFormats(ajv: Ajv, context: ValidationContext): Ajv {
  if (context === ValidationContext.Response || context === ValidationContext.ResponseHeaders) {
    // Answers are held to their shape (types, required and nullable fields), not to formats: the
    // providers' own examples break them ("(808) 925-1571" as a phone-number, "" as a uri).
    return new Ajv({ ...ajv.opts, validateFormats: false });
  }
  addFormats(ajv);
  // Twilio: "in E.164 format".
  ajv.addFormat('phone-number', E164);
  ajv.addFormat('iso-country-code', /^[A-Z]{2}$/);
  ajv.addFormat('http-method', /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$/);
  ajv.addFormat('date-time-rfc-2822', (value: string) => !Number.isNaN(Date.parse(value)));
  ajv.addFormat('phone-number-capabilities', () => true);
  return ajv;
}

export class ProviderContract {
  private constructor(
    readonly provider: Provider,
    private readonly api: OpenAPIBackend,
  ) {}

  static async load(provider: Provider): Promise<ProviderContract> {
    // A discriminator's `mapping` only repeats each branch's `$ref` here; Ajv picks the branch by the
    // property's single `enum` value instead, and then reports the errors of that branch alone.
    const raw = JSON.parse(readFileSync(join(__dirname, 'contracts', FILES[provider]), 'utf8')) as Document;
    const replaced = (node: unknown): unknown => {
      if (Array.isArray(node)) return node.map(replaced);
      if (!node || typeof node !== 'object') return node;
      if (branchesLackDiscriminator(node, raw)) return byDiscriminatorValue(node);
      return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, replaced(value)]));
    };
    const definition = JSON.parse(JSON.stringify(replaced(raw)), (key, value) =>
      key === 'discriminator' ? { propertyName: value.propertyName } : value,
    ) as Document;
    const api = new OpenAPIBackend({
      definition,
      // quick: no check of the document itself (VAPI's puts `title` beside `$ref`, which OpenAPI 3.0 does not allow).
      quick: true,
      validate: true,
      // A form body arrives as strings (Twilio's booleans are "true"), JSON as typed values.
      ajvOpts: { strict: false, allErrors: true, discriminator: true, coerceTypes: provider === 'twilio' },
      customizeAjv: (ajv, _opts, context) => addContractFormats(ajv as unknown as Ajv, context) as never,
    });
    await api.init();
    // Compile every validator now (quick mode would on first use, inside a request's time budget).
    for (const operation of api.getOperations()) api.validator.getRequestValidatorsForOperation(operation.operationId!);
    for (const operationId of ANSWERS_CHECKED[provider]) api.validator.getStatusBasedResponseValidatorForOperation(operationId);
    return new ProviderContract(provider, api);
  }

  /** Checks one request the service sent. */
  check(request: ContractRequest): ContractCheck {
    const req = { method: request.method.toLowerCase(), path: request.path, query: request.query, headers: request.headers as Record<string, string | string[]>, body: request.body as never };
    const operation = this.api.router.matchOperation(req);
    if (!operation) return { violations: [`${request.method} ${request.path}: no such operation in ${this.provider}'s contract`] };
    const violations: string[] = [];

    const declared = Object.keys(operation.requestBody && 'content' in operation.requestBody ? operation.requestBody.content : {});
    const sentType = String(request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (declared.length > 0 && !declared.includes(sentType)) violations.push(`Content-Type "${sentType || '(none)'}" is not one of ${declared.join(', ')}`);
    if (declared.length === 0 && request.body !== undefined) violations.push('the operation takes no request body, one was sent');

    for (const scheme of this.securitySchemesOf(operation)) {
      const sent = String(request.headers.authorization ?? '');
      if (!sent.toLowerCase().startsWith(`${scheme} `)) violations.push(`Authorization must use the "${scheme}" scheme`);
    }

    const result = this.api.validateRequest(req, operation);
    for (const error of result.errors ?? []) {
      violations.push(`${error.instancePath || '/'} ${error.message}${error.params && Object.keys(error.params).length ? ` ${JSON.stringify(error.params)}` : ''}`);
    }
    for (const limit of PROSE_LIMITS[this.provider][operation.operationId!] ?? []) {
      const value = (request.body as Record<string, unknown> | undefined)?.[limit.field];
      if (typeof value === 'string' && value.length > limit.maxLength) {
        violations.push(`/requestBody/${limit.field} must NOT have more than ${limit.maxLength} characters (${value.length}; ${limit.source})`);
      }
    }
    return { operationId: operation.operationId, violations: [...new Set(violations)].map((v) => `${operation.operationId}: ${v}`) };
  }

  /** The HTTP auth schemes (`basic`, `bearer`) the operation requires. */
  private securitySchemesOf(operation: { security?: Array<Record<string, string[]>> }): string[] {
    const schemes = (this.api.definition.components?.securitySchemes ?? {}) as Record<string, { type?: string; scheme?: string }>;
    const required = operation.security ?? this.api.definition.security ?? [];
    return required.flatMap((requirement) => Object.keys(requirement)).flatMap((name) => (schemes[name]?.type === 'http' && schemes[name].scheme ? [schemes[name].scheme!.toLowerCase()] : []));
  }

  /** Checks one of the stand-in's own successful answers, so the stand-ins speak the contract too. */
  checkResponse(operationId: string, status: number, body: unknown): string[] {
    if (body === undefined || !ANSWERS_CHECKED[this.provider].includes(operationId)) return []; // 204; see ANSWERS_CHECKED
    const result = this.api.validateResponse(body, operationId, status);
    return (result.errors ?? []).map((e) => `${operationId} answer ${status}: ${e.instancePath || '/'} ${e.message}`);
  }
}

type SchemaNode = { oneOf?: Array<{ $ref?: string }>; discriminator?: { propertyName: string; mapping?: Record<string, string> } };

/**
 * VAPI's update bodies are a `oneOf` with a discriminator on `provider` whose branches do not
 * declare `provider` at all: as written, no body can match exactly one branch. The discriminator's
 * mapping says what VAPI means (the branch named by the body's `provider`), so that is what is checked.
 */
function branchesLackDiscriminator(node: unknown, doc: Document): boolean {
  const schema = node as SchemaNode | null;
  const mapping = schema?.discriminator?.mapping;
  if (!schema?.oneOf || !mapping) return false;
  const schemas = (doc as unknown as { components: { schemas: Record<string, { properties?: Record<string, unknown> }> } }).components.schemas;
  return schema.oneOf.some((branch) => !schemas[(branch.$ref ?? '').replace('#/components/schemas/', '')]?.properties?.[schema.discriminator!.propertyName]);
}

function byDiscriminatorValue(node: unknown): unknown {
  const { discriminator } = node as Required<SchemaNode>;
  const property = discriminator.propertyName;
  return {
    type: 'object',
    required: [property],
    properties: { [property]: { type: 'string', enum: Object.keys(discriminator.mapping!) } },
    allOf: Object.entries(discriminator.mapping!).map(([value, ref]) => ({
      if: { properties: { [property]: { const: value } }, required: [property] },
      then: { $ref: ref },
    })),
  };
}
