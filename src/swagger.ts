import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { PROBLEM_DESCRIPTIONS } from './common/errors/api-problem-responses.decorator';
import { PROBLEM_CONTENT_TYPE } from './common/errors/problem-details';
import { API_KEY_HEADER } from './modules/auth/api-key.strategy';

/**
 * Stable, readable operation ids (what a generated client calls its methods), by
 * `Controller.method`. An endpoint missing here gets `<method><Controller>`; the OpenAPI test
 * insists every id is listed here, so add new endpoints.
 */
export const OPERATION_IDS: Record<string, string> = {
  'AdminPhoneRequestsController.listAll': 'listAllPhoneNumberRequests',
  'AdminPurchasedNumbersController.add': 'addPurchasedNumber',
  'AdminPurchasedNumbersController.addMany': 'addPurchasedNumbers',
  'AdminPurchasesController.purchase': 'purchasePhoneNumber',
  'AdminPurchasedNumbersController.list': 'listPurchasedNumbers',
  'AdminPurchasedNumbersController.deactivate': 'deactivatePurchasedNumber',
  'AdminPurchasedNumbersController.reactivate': 'reactivatePurchasedNumber',
  'AdminPurchasesController.release': 'releasePurchasedNumber',
  'AdminPurchasesController.list': 'listPurchaseOperations',
  'AdminPurchasesController.get': 'getPurchaseOperation',
  'AdminPropertyManagersController.create': 'createPropertyManager',
  'AdminPropertyManagersController.list': 'listPropertyManagers',
  'ApiKeysController.create': 'createApiKey',
  'ApiKeysController.list': 'listApiKeys',
  'ApiKeysController.revoke': 'revokeApiKey',
  'AuditLogController.list': 'listAuditLog',
  'PhoneRequestsController.create': 'requestPhoneNumber',
  'PhoneRequestsController.listMine': 'listMyPhoneNumberRequests',
  'PhoneRequestsController.cancel': 'cancelMyPhoneNumberRequest',
  'RealtorsController.create': 'createRealtor',
  'RealtorsController.list': 'listRealtors',
  'RealtorsController.update': 'updateRealtor',
  'RealtorRemovalController.remove': 'removeRealtor',
  'AdminPropertyManagerController.get': 'getPropertyManager',
  'AdminPropertyManagerController.update': 'updatePropertyManager',
  'AdminPropertyManagerController.offboard': 'offboardPropertyManager',
  'CallForwardingController.carriers': 'listCallForwardingCarriers',
  'CallForwardingController.state': 'getCallForwardingState',
  'CallForwardingController.update': 'updateCallForwardingState',
  'CallForwardingController.events': 'listCallForwardingEvents',
  'AdminCallForwardingController.events': 'listAllCallForwardingEvents',
  'PurchasedNumbersController.mine': 'listMyPurchasedNumbers',
  'AssignmentsController.assign': 'assignPhoneNumber',
  'AssignmentsController.unassign': 'unassignPhoneNumber',
  'MyNumberController.myNumber': 'getMyNumber',
  'ChatbotController.lookupOwner': 'lookupOwner',
  'VapiWebhookController.receive': 'receiveVapiWebhook',
  'InventoryController.drift': 'getInventoryDrift',
  'InventoryController.adopt': 'adoptUntrackedNumber',
  'InventoryController.repair': 'repairPurchasedNumber',
  'InventoryController.release': 'releaseUntrackedNumber',
  'HealthController.check': 'checkHealth',
  'HealthController.live': 'checkLiveness',
  'HealthController.ready': 'checkReadiness',
  'MetricsController.scrape': 'scrapeMetrics',
};

/** Tags in reading order: the tech team's guide (requests, add, purchase, list), then the rest. */
const TAGS: { name: string; description: string }[] = [
  { name: 'admin: phone number requests', description: "Step 1 of the guide: the PMs' requests waiting for a number." },
  { name: 'admin: purchased numbers', description: 'Step 2A: record a number bought anywhere; step 3: list the numbers; take them out of service.' },
  { name: 'admin: purchases', description: 'Step 2B: buy at Twilio and register with VAPI, automated; follow and release purchases.' },
  { name: 'admin: property managers', description: 'The PMs the service knows.' },
  { name: 'admin: API keys', description: 'Credentials for the tech team and the chatbot.' },
  { name: 'admin: audit log', description: 'Every admin change, refusal and failure.' },
  { name: 'admin: inventory', description: 'Our records against Twilio and VAPI: the drift report and its repairs.' },
  { name: 'admin: call forwarding', description: 'Every call-forwarding change, for support.' },
  { name: 'dashboard: phone number requests', description: 'A PM asks for a number.' },
  { name: 'dashboard: purchased numbers', description: "The PM's numbers." },
  { name: 'dashboard: assignments', description: 'Who holds which number.' },
  { name: 'dashboard: realtors', description: "The PM's team." },
  { name: 'dashboard: call forwarding', description: 'Forward your own mobile line to your number, with carrier dial codes.' },
  { name: 'chatbot', description: 'Who owns the number the chatbot was reached on.' },
  { name: 'operations', description: 'Health, liveness, readiness and metrics.' },
];

/**
 * Statuses an operation can answer beyond those its decorators list, by operation id (the
 * cross-cutting ones — 400, 401/403, 413/415, 429, 500, 503 — are added for every operation they apply to).
 */
const EXTRA_STATUSES: Record<string, number[]> = {
  purchasePhoneNumber: [404, 409, 502, 503, 504],
  releasePurchasedNumber: [404, 409, 502, 503, 504],
  getPurchaseOperation: [404],
  receiveVapiWebhook: [400],
};

/** Query parameters a caller must send; every other query parameter is optional. */
const REQUIRED_QUERY: Record<string, string[]> = { lookupOwner: ['phone_number'] };

export const VAPI_SECRET_SCHEME = 'vapi-secret';

/** The OpenAPI document of `app`: servers from PUBLIC_BASE_URL (else relative). */
export function createOpenApiDocument(app: INestApplication, publicBaseUrl?: string): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Phone number service')
    .setDescription(
      [
        'Phone numbers for property managers (PMs) and their realtors: PMs request numbers, the tech',
        'team buys and records them, PMs assign them, and the chatbot looks up who owns a number.',
        '',
        'Admin endpoints take an admin JWT (`role: admin`) or an admin-scoped `X-API-Key`.',
        'Dashboard endpoints take the PM\'s or realtor\'s JWT. Errors are RFC 9457 problem JSON.',
        'Every endpoint is rate limited per client address (429 with `Retry-After`).',
      ].join('\n'),
    )
    .setVersion('1.0')
    .setLicense('UNLICENSED', 'https://choosealicense.com/no-permission/')
    .addServer(publicBaseUrl ? publicBaseUrl.replace(/\/+$/, '') : '/', publicBaseUrl ? 'This service' : 'The server this document came from')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addApiKey({ type: 'apiKey', in: 'header', name: API_KEY_HEADER }, 'api-key')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-vapi-secret', description: 'VAPI_WEBHOOK_SECRET, sent by VAPI.' }, VAPI_SECRET_SCHEME);
  for (const tag of TAGS) builder.addTag(tag.name, tag.description);
  const document = SwaggerModule.createDocument(app, builder.build(), {
    operationIdFactory: (controller, method) => OPERATION_IDS[`${controller}.${method}`] ?? `${method}${controller.replace(/Controller$/, '')}`,
  });
  return finishDocument(document);
}

/** Swagger UI at /docs and the OpenAPI document at /docs-json. */
export function setupSwagger(app: INestApplication, publicBaseUrl?: string): void {
  SwaggerModule.setup('docs', app, createOpenApiDocument(app, publicBaseUrl), { jsonDocumentUrl: 'docs-json' });
}

type Operation = {
  operationId?: string;
  summary?: string;
  tags?: string[];
  parameters?: { in: string; name: string; required?: boolean }[];
  requestBody?: unknown;
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
  security?: Record<string, string[]>[];
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const PROBLEM_SCHEMA = { $ref: '#/components/schemas/ProblemDto' };

/** The cross-cutting facts, applied to every operation so controllers need not repeat them. */
function finishDocument(document: OpenAPIObject): OpenAPIObject {
  const tagOrder = (op: Operation | undefined) => {
    const index = TAGS.findIndex((t) => t.name === op?.tags?.[0]);
    return index < 0 ? TAGS.length : index;
  };
  const firstOp = (path: string) => METHODS.map((m) => (document.paths[path] as Record<string, Operation>)[m]).find(Boolean);
  const opOrder = (op: Operation | undefined) => Object.values(OPERATION_IDS).indexOf(op?.operationId ?? '');
  const paths = Object.keys(document.paths).sort(
    (a, b) => tagOrder(firstOp(a)) - tagOrder(firstOp(b)) || opOrder(firstOp(a)) - opOrder(firstOp(b)),
  );
  document.paths = Object.fromEntries(paths.map((p) => [p, document.paths[p]]));

  for (const path of paths) {
    const item = document.paths[path] as Record<string, Operation>;
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const id = op.operationId ?? '';
      // Every operation has a summary (from its doc comment; else its id in words).
      op.summary ??= id.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase()).replace(/ ([A-Z])/g, (_m, c: string) => ` ${c.toLowerCase()}`);
      for (const parameter of op.parameters ?? []) {
        if (parameter.in === 'query') parameter.required = (REQUIRED_QUERY[id] ?? []).includes(parameter.name);
      }
      // 503: anything that reads or writes the database answers it while the database is away.
      const statuses = new Set<number>([429, 500, ...(id === 'checkLiveness' ? [] : [503]), ...(EXTRA_STATUSES[id] ?? [])]);
      if ((op.parameters ?? []).length > 0 || op.requestBody) statuses.add(400);
      if (method === 'post' || method === 'put' || method === 'patch') {
        statuses.add(413);
        statuses.add(415);
      }
      for (const status of statuses) {
        op.responses[status] ??= { description: PROBLEM_DESCRIPTIONS[status] ?? 'Problem' };
      }
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) >= 400) {
          response.content = { [PROBLEM_CONTENT_TYPE]: { schema: PROBLEM_SCHEMA } };
        }
      }
      op.responses = Object.fromEntries(Object.entries(op.responses).sort(([a], [b]) => a.localeCompare(b)));
    }
  }

  const webhook = (document.paths['/vapi/webhook'] as Record<string, Operation> | undefined)?.post;
  if (webhook) webhook.security = [{ [VAPI_SECRET_SCHEME]: [] }];
  // Probes need no credential, and say so.
  for (const path of ['/health', '/health/live', '/health/ready']) {
    const probe = (document.paths[path] as Record<string, Operation> | undefined)?.get;
    if (probe) probe.security = [];
  }
  return document;
}
