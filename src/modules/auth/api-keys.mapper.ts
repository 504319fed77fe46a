import { ApiKeyDto } from './dto/api-key.dto';
import { ApiKeyEntity } from './entities/api-key.entity';

export const toApiKeyDto = (key: ApiKeyEntity): ApiKeyDto => ({
  id: key.id,
  name: key.name,
  scopes: key.scopes,
  created_by: key.createdBy,
  created_at: key.createdAt,
  last_used_at: key.lastUsedAt,
  revoked_at: key.revokedAt,
});
