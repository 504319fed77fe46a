import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfig } from '../../config/app-config';
import { DirectoryService } from '../directory/directory.service';
import type { Principal, Role } from './principal';

interface DashboardJwtPayload {
  sub?: unknown;
  exp?: unknown;
  role?: unknown;
  app_metadata?: { role?: unknown };
}

/**
 * `Authorization: Bearer <JWT>`, HS256 with `JWT_SECRET`. `exp` is required; `JWT_ISSUER` and
 * `JWT_AUDIENCE` are enforced when set. The role comes from `role` or `app_metadata.role`;
 * anyone else is the PM or realtor whose `auth_user_id` is the token's `sub`.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    config: AppConfig,
    private readonly directory: DirectoryService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // Without a configured secret no token can verify: every bearer credential is refused.
      secretOrKeyProvider: (_request: unknown, _token: string, done: (err: Error | null, key?: string) => void) =>
        config.jwt.secret ? done(null, config.jwt.secret) : done(new Error('JWT verification is not configured')),
      algorithms: ['HS256'],
      ignoreExpiration: false,
      ...(config.jwt.issuer ? { issuer: config.jwt.issuer } : {}),
      ...(config.jwt.audience ? { audience: config.jwt.audience } : {}),
    });
  }

  async validate(payload: DashboardJwtPayload): Promise<Principal | false> {
    if (typeof payload.sub !== 'string' || payload.sub.length === 0) return false;
    if (typeof payload.exp !== 'number') return false; // a token without `exp` never expires: refuse it
    const role = payload.role ?? payload.app_metadata?.role;
    const base = { actorType: 'user' as const, actorId: payload.sub, credential: 'jwt' };
    if (role === 'admin') return { ...base, roles: ['admin'] as Role[] };
    return { ...base, ...(await this.directory.findDashboardUser(payload.sub)) };
  }
}
