import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import jwt from 'jsonwebtoken';
import { JwksClient } from 'jwks-rsa';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfig } from '../../config/app-config';
import { DashboardUsers } from './dashboard-users';
import type { Principal, Role } from '../../common/auth/principal';

interface DashboardJwtPayload {
  sub?: unknown;
  exp?: unknown;
  role?: unknown;
  app_metadata?: { role?: unknown };
}

export const SYMMETRIC_ALGORITHMS = ['HS256'] as const;
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'] as const;

type KeyCallback = (err: Error | null, key?: string) => void;

/**
 * Picks the verification key by the token's algorithm: HS* only ever with `JWT_SECRET`, asymmetric
 * algorithms only ever with a key from `JWT_JWKS_URI` named by the token's `kid`. So a token
 * "signed" HS256 with the (public) JWKS key is checked against the secret and fails, and
 * `alg: none` matches neither.
 */
export class JwtKeyResolver {
  private readonly jwks?: JwksClient;

  constructor(private readonly config: AppConfig['jwt']) {
    if (config.jwksUri) {
      this.jwks = new JwksClient({
        jwksUri: config.jwksUri,
        // Keys are cached per `kid`; an unknown `kid` (a rotation) fetches the set again, at most
        // 10 times a minute so random `kid`s cannot turn us into a flood against the issuer.
        cache: true,
        cacheMaxAge: 10 * 60_000,
        rateLimit: true,
        jwksRequestsPerMinute: 10,
        timeout: 5_000,
      });
    }
  }

  get algorithms(): jwt.Algorithm[] {
    return [...(this.config.secret ? SYMMETRIC_ALGORITHMS : []), ...(this.jwks ? ASYMMETRIC_ALGORITHMS : [])];
  }

  resolve(token: string, done: KeyCallback): void {
    const decoded = jwt.decode(token, { complete: true });
    const alg = decoded?.header.alg;
    if (!decoded || typeof alg !== 'string') return done(new Error('malformed token'));
    if ((SYMMETRIC_ALGORITHMS as readonly string[]).includes(alg)) {
      return this.config.secret ? done(null, this.config.secret) : done(new Error('HS256 tokens are not accepted'));
    }
    if (!(ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg) || !this.jwks) {
      return done(new Error(`tokens signed with ${alg} are not accepted`));
    }
    const kid = decoded.header.kid;
    if (typeof kid !== 'string' || kid.length === 0) return done(new Error('the token names no kid'));
    this.jwks.getSigningKey(kid).then(
      (key) => {
        // A key published for one algorithm is not used for another.
        if (key.alg && key.alg !== alg) return done(new Error('the key is not for this algorithm'));
        done(null, key.getPublicKey());
      },
      () => done(new Error('no such signing key')),
    );
  }
}

/**
 * `Authorization: Bearer <JWT>`: HS256 with `JWT_SECRET` and/or asymmetric keys from
 * `JWT_JWKS_URI` (how Supabase and Auth0 sign). `exp` is required; `JWT_ISSUER` and
 * `JWT_AUDIENCE` are enforced when set. An admin has `role` or `app_metadata.role` = `admin`;
 * anyone else is the PM or realtor whose `auth_user_id` is the token's `sub`.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    config: AppConfig,
    private readonly directory: DashboardUsers,
  ) {
    const keys = new JwtKeyResolver(config.jwt);
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // Without a secret or a JWKS no token can verify: every bearer credential is refused.
      secretOrKeyProvider: (_request: unknown, token: string, done: KeyCallback) => keys.resolve(token, done),
      algorithms: keys.algorithms.length > 0 ? keys.algorithms : (['HS256'] as jwt.Algorithm[]),
      ignoreExpiration: false,
      ...(config.jwt.issuer ? { issuer: config.jwt.issuer } : {}),
      ...(config.jwt.audience ? { audience: config.jwt.audience } : {}),
    });
  }

  async validate(payload: DashboardJwtPayload): Promise<Principal | false> {
    if (typeof payload.sub !== 'string' || payload.sub.length === 0) return false;
    if (typeof payload.exp !== 'number') return false; // a token without `exp` never expires: refuse it
    // Supabase always sets the top-level `role` (`authenticated`), so an admin is marked in
    // `app_metadata` (only the server can write it; `user_metadata` is the user's and never counts).
    const isAdmin = payload.role === 'admin' || payload.app_metadata?.role === 'admin';
    const base = { actorType: 'user' as const, actorId: payload.sub, credential: 'jwt' };
    if (isAdmin) return { ...base, roles: ['admin'] as Role[] };
    return { ...base, ...(await this.directory.findDashboardUser(payload.sub)) };
  }
}
