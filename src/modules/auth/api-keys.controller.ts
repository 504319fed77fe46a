import { ApiProblemResponses } from '../../common/errors/api-problem-responses.decorator';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { PageQueryDto } from '../../common/pagination/page-query.dto';
import { ApiTags } from '@nestjs/swagger';
import { UuidParamPipe } from '../../common/validation/id-param.pipe';
import { ApiKeysService } from './api-keys.service';
import { Authenticated, CurrentActor } from '../../common/auth/authenticated.decorator';
import { ApiKeyDto, ApiKeyListDto, CreateApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto';
import { toApiKeyDto } from './api-keys.mapper';
import type { Actor } from '../../common/auth/principal';


@ApiTags('admin: API keys')
@Authenticated('admin')
@Controller('admin/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  /** Creates an API key. The response shows the key once; only its hash is stored. */
  @ApiProblemResponses(400)
  @Post()
  async create(@Body() dto: CreateApiKeyDto, @CurrentActor() actor: Actor): Promise<CreatedApiKeyDto> {
    const { entity, apiKey } = await this.apiKeys.create(dto, actor);
    return { ...toApiKeyDto(entity), api_key: apiKey };
  }

  /** Lists API keys (never the keys themselves). */
  @Get()
  async list(@Query() query: PageQueryDto): Promise<ApiKeyListDto> {
    const page = await this.apiKeys.list(query);
    return { api_keys: page.items.map(toApiKeyDto), next_cursor: page.nextCursor };
  }

  /** Revokes an API key; it stops working at once. */
  @ApiProblemResponses(400, 404)
  @Delete(':id')
  @HttpCode(200)
  async revoke(@Param('id', new UuidParamPipe()) id: string, @CurrentActor() actor: Actor): Promise<ApiKeyDto> {
    return toApiKeyDto(await this.apiKeys.revoke(id, actor));
  }
}
