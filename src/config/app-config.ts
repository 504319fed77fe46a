import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import { isIpOrCidr } from '../common/http/ip-allowlist';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, IsUrl, Matches, Max, Min, validateSync } from 'class-validator';

export type TelephonyMode = 'live' | 'sandbox';
export type NodeEnv = 'development' | 'production' | 'test';

const emptyToUndefined = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** Twilio's contract: every request names the account in its path as `AC` and 32 hex digits. */
const TWILIO_ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
const sidMessage = (name: string) => `${name} must be a Twilio account SID: AC followed by 32 hex digits`;

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : Number(value);

/**
 * The environment variables the service reads, validated once at start-up.
 * A bad value stops the start with a message naming the variable.
 */
class EnvironmentVariables {
  @IsOptional() @IsIn(['development', 'production', 'test'])
  NODE_ENV?: NodeEnv;

  @IsOptional() @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt() @Min(0) @Max(65535)
  PORT?: number;

  @IsOptional() @IsString() @Transform(emptyToUndefined)
  HOST?: string;

  @IsOptional() @Transform(emptyToUndefined) @IsString()
  DATABASE_URL?: string;

  @IsOptional() @Transform(emptyToUndefined) @IsString()
  DATA_DIR?: string;

  @IsOptional() @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt() @Min(1) @Max(65535)
  EMBEDDED_PG_PORT?: number;

  /** As root: where the embedded cluster goes when the `postgres` user cannot reach DATA_DIR. */
  @IsOptional() @Transform(emptyToUndefined) @IsString()
  EMBEDDED_PG_RUNTIME_DIR?: string;

  @IsOptional() @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt() @Min(1) @Max(200)
  DATABASE_POOL_SIZE?: number;

  @IsOptional() @Transform(emptyToUndefined) @IsString()
  JWT_SECRET?: string;

  @IsOptional() @Transform(emptyToUndefined) @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  JWT_JWKS_URI?: string;

  @IsOptional() @Transform(emptyToUndefined) @IsString()
  JWT_ISSUER?: string;

  @IsOptional() @Transform(emptyToUndefined) @IsString()
  JWT_AUDIENCE?: string;

  @IsOptional() @Transform(emptyToUndefined) @IsString()
  ADMIN_IP_ALLOWLIST?: string;

  /** Which proxies may set X-Forwarded-For: `false` (default), a hop count, or IPs/CIDRs. */
  @IsOptional() @Transform(emptyToUndefined) @IsString()
  TRUST_PROXY?: string;

  /** Dashboard origins allowed by CORS, comma-separated. Unset: no cross-origin access. */
  @IsOptional() @Transform(emptyToUndefined) @IsString()
  CORS_ORIGINS?: string;

  // Rate limits: requests per RATE_LIMIT_WINDOW_SECONDS per client IP and route; 0 turns one off.
  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(86400) RATE_LIMIT_WINDOW_SECONDS?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) RATE_LIMIT_READ?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) RATE_LIMIT_WRITE?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) RATE_LIMIT_ADMIN_WRITE?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) RATE_LIMIT_AUTH_FAILURES?: number;
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) RATE_LIMIT_CHATBOT?: number;

  @IsOptional() @Transform(emptyToUndefined) @IsIn(['live', 'sandbox'])
  TELEPHONY_MODE?: TelephonyMode;

  @IsOptional() @Transform(emptyToUndefined) @Matches(TWILIO_ACCOUNT_SID, { message: sidMessage('TWILIO_ACCOUNT_SID') }) TWILIO_ACCOUNT_SID?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() TWILIO_AUTH_TOKEN?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() VAPI_API_KEY?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() VAPI_ASSISTANT_ID?: string;
  // The guide's names, accepted as aliases.
  @IsOptional() @Transform(emptyToUndefined) @Matches(TWILIO_ACCOUNT_SID, { message: sidMessage('TWILIO_ACCOUNT_SID2') }) TWILIO_ACCOUNT_SID2?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() TWILIO_AUTH_TOKEN2?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() VAPI_API_KEY2?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsString() VAPI_ASSISTANT_ID2?: string;

  @IsOptional() @Transform(emptyToUndefined) @IsString() VAPI_WEBHOOK_SECRET?: string;

  @IsOptional() @Transform(emptyToUndefined) @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  TWILIO_API_BASE_URL?: string;

  @IsOptional() @Transform(emptyToUndefined) @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  VAPI_API_BASE_URL?: string;

  @IsOptional() @Transform(emptyToUndefined) @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  PUBLIC_BASE_URL?: string;

  /** Where call-forwarding confirmations and failures are texted (operations), and from which of our numbers. */
  @IsOptional() @Transform(emptyToUndefined) @Matches(/^\+[1-9][0-9]{6,14}$/, { message: 'FORWARDING_ALERT_NUMBER must be an E.164 number' })
  FORWARDING_ALERT_NUMBER?: string;

  @IsOptional() @Transform(emptyToUndefined) @Matches(/^\+[1-9][0-9]{6,14}$/, { message: 'FORWARDING_ALERT_FROM_NUMBER must be an E.164 number' })
  FORWARDING_ALERT_FROM_NUMBER?: string;

  @IsOptional() @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt() @Min(100) @Max(120000)
  PROVIDER_TIMEOUT_MS?: number;

  @IsOptional() @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt() @Min(0) @Max(86400000)
  PURCHASE_RECONCILE_INTERVAL_MS?: number;

  @IsOptional() @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt() @Min(0) @Max(86400000)
  PURCHASE_SETTLE_MS?: number;

  @IsOptional() @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt() @Min(0) @Max(86400000)
  PURCHASE_BUY_GRACE_MS?: number;

  @IsOptional() @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt() @Min(300) @Max(3600000)
  PURCHASE_LEASE_MS?: number;

  @IsOptional() @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt() @Min(100) @Max(600000)
  DATABASE_POOL_TIMEOUT_MS?: number;

  /** How often the inventory check compares our numbers with Twilio and VAPI; 0 turns it off. */
  @IsOptional() @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt() @Min(0) @Max(604800000)
  INVENTORY_CHECK_INTERVAL_MS?: number;

  /** What one Twilio number costs a month (USD), for numbers Twilio reports no price for. */
  @IsOptional() @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsNumber({ maxDecimalPlaces: 4 }) @Min(0) @Max(10000)
  TWILIO_NUMBER_MONTHLY_PRICE?: number;

  @IsOptional() @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt() @Min(1) @Max(100)
  CHATBOT_DB_POOL_SIZE?: number;

  @IsOptional() @Transform(emptyToUndefined)
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL?: string;

  @IsOptional() @Transform(emptyToUndefined) @IsString()
  DEFAULT_PHONE_REGION?: string;

  // The chatbot's owner lookup: entries kept in memory (0 turns the cache off).
  @IsOptional() @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt() @Min(0) @Max(10_000_000)
  CHATBOT_LOOKUP_CACHE_SIZE?: number;

  // Pages of the admin number list kept in memory, serialised (0 turns the cache off).
  @IsOptional() @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt() @Min(0) @Max(100_000)
  ADMIN_LIST_CACHE_SIZE?: number;

  // Request log lines for the chatbot's hot routes (lookup, VAPI webhook); off by default.
  @IsOptional() @Transform(emptyToUndefined) @IsIn(['true', 'false'])
  LOG_CHATBOT_REQUESTS?: string;

  // Shared rate-limit counters for a fleet; unset: every instance counts on its own.
  @IsOptional() @Transform(emptyToUndefined) @IsUrl({ require_tld: false, protocols: ['redis', 'rediss'] })
  REDIS_URL?: string;

  // Prefix of every Redis key and channel, so services (or test runs) sharing a Redis stay apart.
  @IsOptional() @Transform(emptyToUndefined) @IsString() @Matches(/^[A-Za-z0-9:._-]{1,64}$/)
  REDIS_KEY_PREFIX?: string;

  // After SIGTERM: readiness answers 503 at once, the listener closes this much later.
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(600_000)
  SHUTDOWN_DELAY_MS?: number;

  // Prometheus metrics at GET /metrics (an API key with the `metrics` scope); `false` turns them off.
  @IsOptional() @Transform(emptyToUndefined) @IsIn(['true', 'false'])
  METRICS_ENABLED?: string;
}

export class ConfigError extends Error {}

/** Typed, validated configuration. Injected everywhere as the `AppConfig` token. */
export class AppConfig {
  readonly nodeEnv: NodeEnv;
  readonly isProduction: boolean;
  readonly host: string;
  readonly port: number;
  readonly logLevel: string;
  readonly database: {
    /** Unset: an embedded PostgreSQL is started under `dataDir`. */
    url?: string;
    dataDir: string;
    embeddedPort: number;
    /** Unset: /var/lib/phone-number-service (see EmbeddedPostgresServer). */
    embeddedRuntimeDir?: string;
    poolSize: number;
    /** How long a query waits for a free pooled connection before it fails (503), instead of hanging. */
    poolTimeoutMs: number;
  };
  readonly jwt: { secret?: string; jwksUri?: string; issuer?: string; audience?: string };
  readonly adminIpAllowlist: string[];
  /** Fastify's `trustProxy`: false (default), a hop count, or the trusted proxies' addresses. */
  readonly trustProxy: boolean | number | string[];
  readonly corsOrigins: string[];
  /** Per client IP and route, per `windowSeconds`; 0 = off. `authFailures` counts 401s per IP. */
  readonly rateLimits: {
    windowSeconds: number;
    read: number;
    write: number;
    adminWrite: number;
    authFailures: number;
    chatbot: number;
  };
  readonly telephony: {
    mode: TelephonyMode;
    twilioAccountSid?: string;
    twilioAuthToken?: string;
    vapiApiKey?: string;
    vapiAssistantId?: string;
    vapiWebhookSecret?: string;
    twilioApiBaseUrl?: string;
    vapiApiBaseUrl?: string;
    publicBaseUrl?: string;
    /** Per provider call; SDK retries are off, we decide retries ourselves. */
    providerTimeoutMs: number;
    /** How often the purchase reconciler runs (0: only at start-up). */
    reconcileIntervalMs: number;
    /** How long an unfinished purchase must sit untouched before the reconciler takes it over. */
    purchaseSettleMs: number;
    /** How long after a purchase began a buy that may still land at Twilio keeps being looked for. */
    purchaseBuyGraceMs: number;
    /** How long a worker owns a purchase without renewing (renewed at a third of it); a crashed one's runs out. */
    purchaseLeaseMs: number;
    /** How often the inventory check runs (0: never; default 6 hours, 0 under NODE_ENV=test). */
    inventoryCheckIntervalMs: number;
    /** USD per number and month, for untracked numbers Twilio gives no price for. */
    twilioNumberMonthlyPrice?: number;
  };
  /** Call-forwarding SMS alerts: sent only when both are set. */
  readonly forwardingAlerts: { to?: string; from?: string };
  readonly defaultPhoneRegion: string;
  readonly chatbot: { lookupCacheSize: number; logRequests: boolean; /** Connections of the lookup's own pool. */ lookupPoolSize: number };
  /** Pages of `GET /admin/all-purchased-numbers` kept serialised in memory (0: none). */
  readonly adminListCacheSize: number;
  /** Unset: rate limits are counted per instance. */
  readonly redisUrl?: string;
  readonly redisKeyPrefix: string;
  readonly metricsEnabled: boolean;
  /** Between SIGTERM (readiness 503) and closing the listener. */
  readonly shutdownDelayMs: number;

  constructor(init: Omit<AppConfig, never>) {
    Object.assign(this, init);
  }
}

/** Reads and validates the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const vars = plainToInstance(EnvironmentVariables, { ...env }, { enableImplicitConversion: false });
  const errors = validateSync(vars, { skipMissingProperties: false, whitelist: false });
  if (errors.length > 0) {
    const lines = errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`);
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const nodeEnv: NodeEnv = vars.NODE_ENV ?? 'development';
  const adminIpAllowlist = splitList(vars.ADMIN_IP_ALLOWLIST);
  const badCidrs = adminIpAllowlist.filter((entry) => !isIpOrCidr(entry));
  if (badCidrs.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  ADMIN_IP_ALLOWLIST: not an IP address or CIDR: ${badCidrs.join(', ')}`);
  }
  const trustProxy = parseTrustProxy(vars.TRUST_PROXY);
  const isProduction = nodeEnv === 'production';

  const twilioAccountSid = vars.TWILIO_ACCOUNT_SID ?? vars.TWILIO_ACCOUNT_SID2;
  const twilioAuthToken = vars.TWILIO_AUTH_TOKEN ?? vars.TWILIO_AUTH_TOKEN2;
  const vapiApiKey = vars.VAPI_API_KEY ?? vars.VAPI_API_KEY2;
  const vapiAssistantId = vars.VAPI_ASSISTANT_ID ?? vars.VAPI_ASSISTANT_ID2;
  const hasCredentials = Boolean(twilioAccountSid && twilioAuthToken && vapiApiKey);
  // Sandbox is the development default without credentials; production never falls back to it
  // silently: there a missing credential makes live purchases answer 503.
  const mode: TelephonyMode = vars.TELEPHONY_MODE ?? (hasCredentials || isProduction ? 'live' : 'sandbox');

  return new AppConfig({
    nodeEnv,
    isProduction,
    host: vars.HOST ?? '0.0.0.0',
    port: vars.PORT ?? 8000,
    logLevel: vars.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    database: {
      url: vars.DATABASE_URL,
      dataDir: vars.DATA_DIR ?? './data',
      embeddedPort: vars.EMBEDDED_PG_PORT ?? 54329,
      embeddedRuntimeDir: vars.EMBEDDED_PG_RUNTIME_DIR,
      poolSize: vars.DATABASE_POOL_SIZE ?? 10,
      poolTimeoutMs: vars.DATABASE_POOL_TIMEOUT_MS ?? 5_000,
    },
    jwt: {
      secret: vars.JWT_SECRET,
      jwksUri: vars.JWT_JWKS_URI,
      issuer: vars.JWT_ISSUER,
      audience: vars.JWT_AUDIENCE,
    },
    adminIpAllowlist,
    trustProxy,
    corsOrigins: splitList(vars.CORS_ORIGINS),
    rateLimits: {
      windowSeconds: vars.RATE_LIMIT_WINDOW_SECONDS ?? 60,
      read: vars.RATE_LIMIT_READ ?? 300,
      write: vars.RATE_LIMIT_WRITE ?? 60,
      // Admin routes answer 401 (counted by the auth-failure limit) to anyone without an admin
      // credential, so this generous default serves authenticated admins only: 2,000 numbers added
      // one by one fit in a minute.
      adminWrite: vars.RATE_LIMIT_ADMIN_WRITE ?? 3000,
      authFailures: vars.RATE_LIMIT_AUTH_FAILURES ?? 10,
      chatbot: vars.RATE_LIMIT_CHATBOT ?? 0,
    },
    telephony: {
      mode,
      twilioAccountSid,
      twilioAuthToken,
      vapiApiKey,
      vapiAssistantId,
      vapiWebhookSecret: vars.VAPI_WEBHOOK_SECRET,
      twilioApiBaseUrl: vars.TWILIO_API_BASE_URL,
      vapiApiBaseUrl: vars.VAPI_API_BASE_URL,
      publicBaseUrl: vars.PUBLIC_BASE_URL,
      providerTimeoutMs: vars.PROVIDER_TIMEOUT_MS ?? 10_000,
      reconcileIntervalMs: vars.PURCHASE_RECONCILE_INTERVAL_MS ?? 30_000,
      purchaseSettleMs: vars.PURCHASE_SETTLE_MS ?? 2 * (vars.PROVIDER_TIMEOUT_MS ?? 10_000),
      purchaseBuyGraceMs: vars.PURCHASE_BUY_GRACE_MS ?? 6 * (vars.PROVIDER_TIMEOUT_MS ?? 10_000),
      purchaseLeaseMs: vars.PURCHASE_LEASE_MS ?? 10_000,
      inventoryCheckIntervalMs: vars.INVENTORY_CHECK_INTERVAL_MS ?? (nodeEnv === 'test' ? 0 : 6 * 60 * 60 * 1000),
      twilioNumberMonthlyPrice: vars.TWILIO_NUMBER_MONTHLY_PRICE,
    },
    forwardingAlerts: { to: vars.FORWARDING_ALERT_NUMBER, from: vars.FORWARDING_ALERT_FROM_NUMBER },
    defaultPhoneRegion: (vars.DEFAULT_PHONE_REGION ?? 'US').toUpperCase(),
    chatbot: {
      lookupCacheSize: vars.CHATBOT_LOOKUP_CACHE_SIZE ?? 100_000,
      logRequests: vars.LOG_CHATBOT_REQUESTS === 'true',
      lookupPoolSize: vars.CHATBOT_DB_POOL_SIZE ?? 4,
    },
    adminListCacheSize: vars.ADMIN_LIST_CACHE_SIZE ?? 200,
    redisUrl: vars.REDIS_URL,
    redisKeyPrefix: vars.REDIS_KEY_PREFIX ?? 'pn:',
    metricsEnabled: vars.METRICS_ENABLED !== 'false',
    shutdownDelayMs: vars.SHUTDOWN_DELAY_MS ?? 0,
  });
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function parseTrustProxy(value: string | undefined): boolean | number | string[] {
  if (value === undefined || value === 'false') return false;
  // `true` would believe any X-Forwarded-For, so anyone could pick their own client IP.
  if (value === 'true') {
    throw new ConfigError('Invalid configuration:\n  TRUST_PROXY: `true` trusts every sender; name the proxies (IPs/CIDRs) or a hop count');
  }
  if (/^\d+$/.test(value)) return Number(value);
  const entries = splitList(value);
  const named = ['loopback', 'linklocal', 'uniquelocal'];
  const bad = entries.filter((entry) => !named.includes(entry) && !isIpOrCidr(entry));
  if (bad.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  TRUST_PROXY: not an IP address, CIDR or hop count: ${bad.join(', ')}`);
  }
  return entries;
}
