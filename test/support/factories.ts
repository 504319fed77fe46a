import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import { ApiKeysService } from '../../src/modules/auth/api-keys.service';
import type { ApiKeyScope } from '../../src/modules/auth/principal';
import { PropertyManagerEntity } from '../../src/modules/directory/entities/property-manager.entity';
import { RealtorEntity } from '../../src/modules/directory/entities/realtor.entity';
import { PhoneNumberRequestEntity } from '../../src/modules/phone-requests/entities/phone-number-request.entity';
import {
  AssigneeType,
  PurchasedPhoneNumberEntity,
} from '../../src/modules/numbers/entities/purchased-phone-number.entity';

export const TEST_JWT_SECRET = 'test-jwt-secret-that-is-long-enough-for-hs256';

let sequence = 0;
const next = () => `${Date.now().toString(36)}${(sequence++).toString(36)}`;

/** Distinct valid US numbers: +1 412 555 0100 … (area code 412, exchange 555 is valid here). */
let numberSequence = 0;
export const nextPhoneNumber = () => `+1412${String(2000000 + ((process.pid * 7919 + numberSequence++) % 7000000)).padStart(7, '0')}`;

/** An HS256 token, valid for an hour unless `claims.exp` is given or `options.expiresIn` is undefined. */
export function signJwt(claims: Record<string, unknown>, options: jwt.SignOptions = {}, secret = TEST_JWT_SECRET): string {
  const withoutExpiry = 'exp' in claims || ('expiresIn' in options && options.expiresIn === undefined);
  const { expiresIn, ...rest } = options;
  return jwt.sign(claims, secret, { algorithm: 'HS256', ...(withoutExpiry ? {} : { expiresIn: expiresIn ?? '1h' }), ...rest });
}

export interface PmFixture {
  pm: PropertyManagerEntity;
  jwt: string;
}

export interface RealtorFixture {
  realtor: RealtorEntity;
  jwt: string;
}

/** Builds data straight in the database, the way a test needs it. */
export class Factories {
  constructor(
    private readonly dataSource: DataSource,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async propertyManager(overrides: Partial<PropertyManagerEntity> = {}): Promise<PmFixture> {
    const id = next();
    const pm = await this.dataSource.getRepository(PropertyManagerEntity).save({
      name: `PM ${id}`,
      email: `pm-${id}@example.com`,
      authUserId: `auth-pm-${id}`,
      companyName: null,
      ...overrides,
    });
    return { pm, jwt: signJwt({ sub: pm.authUserId, role: 'authenticated' }) };
  }

  async realtor(pm: PropertyManagerEntity, overrides: Partial<RealtorEntity> = {}): Promise<RealtorFixture> {
    const id = next();
    const realtor = await this.dataSource.getRepository(RealtorEntity).save({
      propertyManagerId: pm.id,
      name: `Realtor ${id}`,
      email: `realtor-${id}@example.com`,
      authUserId: `auth-realtor-${id}`,
      ...overrides,
    });
    return { realtor, jwt: signJwt({ sub: realtor.authUserId, role: 'authenticated' }) };
  }

  async number(
    pm: PropertyManagerEntity,
    options: { status?: 'available' | 'inactive'; assignTo?: { type: AssigneeType; realtorId?: number }; phoneNumber?: string } = {},
  ): Promise<PurchasedPhoneNumberEntity> {
    const repository = this.dataSource.getRepository(PurchasedPhoneNumberEntity);
    return repository.save({
      propertyManagerId: pm.id,
      phoneNumber: options.phoneNumber ?? nextPhoneNumber(),
      twilioSid: `PN${randomUUID().replace(/-/g, '')}`,
      vapiPhoneNumberId: randomUUID(),
      status: options.assignTo ? 'assigned' : (options.status ?? 'available'),
      assignedToType: options.assignTo?.type ?? null,
      assignedRealtorId: options.assignTo?.realtorId ?? null,
      assignedAt: options.assignTo ? new Date() : null,
    });
  }

  async request(pm: PropertyManagerEntity, overrides: Partial<PhoneNumberRequestEntity> = {}): Promise<PhoneNumberRequestEntity> {
    return this.dataSource.getRepository(PhoneNumberRequestEntity).save({
      propertyManagerId: pm.id,
      countryCode: '+1',
      areaCode: '412',
      notes: null,
      ...overrides,
    });
  }

  async apiKey(scopes: ApiKeyScope[] = ['admin']): Promise<{ id: string; key: string }> {
    const { entity, apiKey } = await this.apiKeys.insertKey(`test key ${next()}`, scopes, 'test');
    return { id: entity.id, key: apiKey };
  }

  adminJwt(claims: Record<string, unknown> = {}): string {
    return signJwt({ sub: `admin-${next()}`, role: 'admin', ...claims });
  }
}
