import { signJwt, TEST_JWT_SECRET } from '../support/factories';
import { hmacToken, JwksServer, newSigningKey, signAsymmetric, TestSigningKey, unsignedToken } from '../support/jwks-server';
import { startTestApp, TestApp } from '../support/test-app';

const ISSUER = 'https://project.example.test/auth/v1';
const AUDIENCE = 'authenticated';

/** Tokens as Supabase and Auth0 sign them: asymmetric keys published at a JWKS endpoint. */
describe('JWT verification with JWT_JWKS_URI, JWT_ISSUER and JWT_AUDIENCE', () => {
  let t: TestApp;
  let jwks: JwksServer;
  let k1: TestSigningKey;
  let ec: TestSigningKey;
  const admin = { sub: 'admin-user-1', role: 'admin', iss: ISSUER, aud: AUDIENCE };
  const adminCall = (jwt: string) => t.http.get('/admin/api-keys', { jwt });

  beforeAll(async () => {
    jwks = await new JwksServer().start();
    k1 = await newSigningKey('key-1');
    ec = await newSigningKey('key-ec', 'ES256');
    jwks.keys.push(k1, ec);
    t = await startTestApp({ env: { JWT_JWKS_URI: jwks.url, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE } });
  });
  afterAll(async () => {
    await t.close();
    await jwks.stop();
  });

  it('accepts RS256 and ES256 tokens from the JWKS, and caches the keys', async () => {
    expect((await adminCall(await signAsymmetric(k1, admin))).status).toBe(200);
    const fetchesAfterFirst = jwks.fetches;
    expect(fetchesAfterFirst).toBeGreaterThanOrEqual(1);
    expect((await adminCall(await signAsymmetric(k1, admin))).status).toBe(200);
    expect((await adminCall(await signAsymmetric(ec, admin))).status).toBe(200);
    expect((await adminCall(await signAsymmetric(k1, admin))).status).toBe(200);
    // key-1 came from the cache; key-ec was one more fetch at most.
    expect(jwks.fetches).toBeLessThanOrEqual(fetchesAfterFirst + 1);
  });

  it('maps a JWKS-signed dashboard token to the PM it names', async () => {
    const { pm } = await t.factories.propertyManager();
    const token = await signAsymmetric(k1, { sub: pm.authUserId, role: 'authenticated', iss: ISSUER, aud: AUDIENCE });
    const response = await t.http.get('/my-phone-number-requests', { jwt: token });
    expect(response.status).toBe(200);
  });

  it('takes the admin role from app_metadata (Supabase), never from user_metadata', async () => {
    const supabase = { iss: ISSUER, aud: AUDIENCE, role: 'authenticated' };
    const viaAppMetadata = await signAsymmetric(k1, { ...supabase, sub: 'u-1', app_metadata: { role: 'admin' } });
    expect((await adminCall(viaAppMetadata)).status).toBe(200);
    const viaUserMetadata = await signAsymmetric(k1, { ...supabase, sub: 'u-2', user_metadata: { role: 'admin' } });
    expect((await adminCall(viaUserMetadata)).status).toBe(403);
  });

  it('fetches the set again for an unknown kid (key rotation)', async () => {
    const k2 = await newSigningKey('key-2');
    // Not published yet: refused.
    expect((await adminCall(await signAsymmetric(k2, admin))).status).toBe(401);
    jwks.keys.push(k2);
    const before = jwks.fetches;
    expect((await adminCall(await signAsymmetric(k2, admin))).status).toBe(200);
    expect(jwks.fetches).toBe(before + 1);
  });

  it('still accepts HS256 tokens signed with JWT_SECRET', async () => {
    expect((await adminCall(signJwt(admin))).status).toBe(200);
  });

  it.each([
    ['expired', async () => signAsymmetric(k1, { ...admin, exp: Math.floor(Date.now() / 1000) - 60 })],
    ['without exp', async () => signAsymmetric(k1, { ...admin, exp: undefined })],
    ['from another issuer', async () => signAsymmetric(k1, { ...admin, iss: 'https://evil.example.test/' })],
    ['for another audience', async () => signAsymmetric(k1, { ...admin, aud: 'someone-else' })],
    ['without an issuer', async () => signAsymmetric(k1, { ...admin, iss: undefined })],
    ['alg none', async () => unsignedToken(admin)],
    ['HS256 signed with the public key (algorithm confusion)', async () => hmacToken(k1.publicPem, admin, { kid: k1.kid })],
    ['HS256 signed with the JWK as text', async () => hmacToken(JSON.stringify(k1.publicJwk), admin, { kid: k1.kid })],
    ['signed by a key the JWKS does not hold, claiming its kid', async () => signAsymmetric(await newSigningKey('x'), admin, k1.kid)],
    ['naming a kid for another algorithm', async () => signAsymmetric(await newSigningKey('y', 'RS256'), admin, ec.kid)],
    ['without a kid', async () => signAsymmetric(k1, admin, '')],
    ['HS256 with another secret', async () => signJwt(admin, {}, `${TEST_JWT_SECRET}-not`)],
    ['garbage', async () => 'not.a.jwt'],
  ])('refuses a token %s', async (_name, make) => {
    const response = await adminCall(await make());
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body.code).toBe('unauthenticated');
  });
});

describe('JWT verification with a JWKS only', () => {
  let t: TestApp;
  let jwks: JwksServer;
  let key: TestSigningKey;

  beforeAll(async () => {
    jwks = await new JwksServer().start();
    key = await newSigningKey('only');
    jwks.keys.push(key);
    t = await startTestApp({ env: { JWT_SECRET: '', JWT_JWKS_URI: jwks.url } });
  });
  afterAll(async () => {
    await t.close();
    await jwks.stop();
  });

  it('refuses every HS256 token when no JWT_SECRET is set, whatever it was signed with', async () => {
    const admin = { sub: 'a', role: 'admin' };
    expect((await t.http.get('/admin/api-keys', { jwt: await signAsymmetric(key, admin) })).status).toBe(200);
    for (const secret of [TEST_JWT_SECRET, '', key.publicPem]) {
      expect((await t.http.get('/admin/api-keys', { jwt: hmacToken(secret, admin) })).status).toBe(401);
    }
  });

  it('answers 401, not 5xx, when the JWKS endpoint is down', async () => {
    await jwks.stop();
    const unknownKid = await signAsymmetric(await newSigningKey('rotated'), { sub: 'a', role: 'admin' });
    const response = await t.http.get('/admin/api-keys', { jwt: unknownKid });
    expect(response.status).toBe(401);
    // A key fetched before the outage is still served from the cache.
    expect((await t.http.get('/admin/api-keys', { jwt: await signAsymmetric(key, { sub: 'a', role: 'admin' }) })).status).toBe(200);
  });
});
