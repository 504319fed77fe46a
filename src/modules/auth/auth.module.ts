import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeyStrategy } from './api-key.strategy';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { CredentialGuard, RolesGuard } from '../../common/auth/authenticated.decorator';
import { ApiKeyVerifier } from '../../common/auth/api-key-format';
import { BootstrapAdminKeyService } from './bootstrap-admin-key.service';
import { ApiKeyEntity } from './entities/api-key.entity';
import { JwtStrategy } from './jwt.strategy';

@Module({
  // DashboardUsers comes from the (global) directory module.
  imports: [PassportModule, TypeOrmModule.forFeature([ApiKeyEntity])],
  controllers: [ApiKeysController],
  providers: [ApiKeysService, { provide: ApiKeyVerifier, useExisting: ApiKeysService }, ApiKeyStrategy, JwtStrategy, CredentialGuard, RolesGuard, BootstrapAdminKeyService],
  exports: [ApiKeysService, ApiKeyVerifier, CredentialGuard],
})
export class AuthModule {}
