import { createServer, Server } from 'node:http';
import { createHmac } from 'node:crypto';
import { exportJWK, exportSPKI, generateKeyPair, JWK, SignJWT } from 'jose';

export interface TestSigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  publicJwk: JWK;
  publicPem: string;
  privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
}

export async function newSigningKey(kid: string, alg: 'RS256' | 'ES256' = 'RS256'): Promise<TestSigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, publicJwk, publicPem: await exportSPKI(publicKey), privateKey };
}

/** A local JWKS endpoint, like Supabase's or Auth0's `/.well-known/jwks.json`. */
export class JwksServer {
  readonly keys: TestSigningKey[] = [];
  fetches = 0;
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.fetches += 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: this.keys.map((k) => k.publicJwk) }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${port}/.well-known/jwks.json`;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export interface Claims {
  [claim: string]: unknown;
}

/** Signs like an identity provider does (exp one hour ahead unless the claims set one). */
export async function signAsymmetric(key: TestSigningKey, claims: Claims, kid: string = key.kid): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iat: now, exp: now + 3600, ...claims })
    .setProtectedHeader({ alg: key.alg, kid, typ: 'JWT' })
    .sign(key.privateKey);
}

/** `alg: none`: no signature at all. */
export function unsignedToken(claims: Claims): string {
  const now = Math.floor(Date.now() / 1000);
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iat: now, exp: now + 3600, ...claims })}.`;
}

/** Algorithm confusion: an HS256 token whose HMAC key is the issuer's public key. */
export function hmacToken(secret: string, claims: Claims, header: Claims = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const signingInput = `${b64({ alg: 'HS256', typ: 'JWT', ...header })}.${b64({ iat: now, exp: now + 3600, ...claims })}`;
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}
