import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { API_KEY_SCOPES, type ApiKeyScope } from '../../../common/auth/principal';

export class CreateApiKeyDto {
  /** What the key is for, e.g. "chatbot production". */
  @IsString() @IsNotEmpty() @MaxLength(100)
  name: string;

  /** `admin` (everything under /admin), `chatbot` (lookup and webhook) and/or `metrics` (`GET /metrics`). */
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(3) @ArrayUnique() @IsIn(API_KEY_SCOPES, { each: true })
  scopes: ApiKeyScope[];
}

export class ApiKeyDto {
  id: string;
  name: string;
  scopes: string[];
  created_by: string | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  /** The key itself. Shown this once; store it now. Send it as `X-API-Key`. */
  api_key: string;
}

export class ApiKeyListDto {
  api_keys: ApiKeyDto[];
  /** Pass as `cursor` for the next page; null on the last one. */
  next_cursor: string | null;
}
