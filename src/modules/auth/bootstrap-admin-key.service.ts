import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { AppConfig } from '../../config/app-config';
import { ApiKeysService } from './api-keys.service';

// Serialises instances starting together, so only one of them creates the key.
const BOOTSTRAP_LOCK_KEY = 7_114_255_502;

/**
 * Outside production, when no admin credential exists (no unrevoked admin-scoped API key),
 * creates one admin API key on start-up and prints it once. There is never a fixed default
 * credential; in production the first key is created deliberately (see README).
 * A JWT secret alone does not count as an admin credential: nobody holds an admin token yet.
 */
@Injectable()
export class BootstrapAdminKeyService implements OnApplicationBootstrap {
  constructor(
    private readonly config: AppConfig,
    private readonly apiKeys: ApiKeysService,
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.nodeEnv !== 'development') return;
    // Instances starting together: one creates the key, the others then see it.
    const apiKey = await this.txHost.withTransaction(async () => {
      await this.txHost.tx.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK_KEY]);
      if (await this.apiKeys.hasActiveAdminKey()) return undefined;
      return (await this.apiKeys.insertKey('bootstrap admin key', ['admin'], 'bootstrap')).apiKey;
    });
    if (!apiKey) return;
    // Printed straight to stderr, not through the structured log: logs are shipped and kept,
    // and the key must not be kept anywhere but by the person reading this.
    process.stderr.write(
      [
        '',
        '================================================================================',
        ' No admin credential existed, so an admin API key was created. It is shown once:',
        '',
        `   X-API-Key: ${apiKey}`,
        '',
        ' Use it for /admin/** (e.g. create more keys with POST /admin/api-keys).',
        '================================================================================',
        '',
      ].join('\n') + '\n',
    );
  }
}
