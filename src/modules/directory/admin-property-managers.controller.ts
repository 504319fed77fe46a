import { ApiProblemResponses } from '../../common/errors/api-problem-responses.decorator';
import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentActor } from '../../common/auth/authenticated.decorator';
import type { Actor } from '../../common/auth/principal';
import { DirectoryService } from './directory.service';
import { toPropertyManagerDto } from './directory.mapper';
import {
  CreatePropertyManagerDto,
  ListPropertyManagersQueryDto,
  PropertyManagerDto,
  PropertyManagerListDto,
} from './dto/property-manager.dto';

@ApiTags('admin: property managers')
@Authenticated('admin')
@Controller('admin/property-managers')
export class AdminPropertyManagersController {
  constructor(private readonly directory: DirectoryService) {}

  /** Creates a property manager. `auth_user_id` links their dashboard login (the JWT `sub`). */
  @ApiProblemResponses(400, 409)
  @Post()
  async create(@Body() dto: CreatePropertyManagerDto, @CurrentActor() actor: Actor): Promise<PropertyManagerDto> {
    return toPropertyManagerDto(await this.directory.createPropertyManager(dto, actor));
  }

  /** Lists property managers, oldest first. */
  @ApiProblemResponses(400)
  @Get()
  async list(@Query() query: ListPropertyManagersQueryDto): Promise<PropertyManagerListDto> {
    const page = await this.directory.listPropertyManagers(query);
    return { property_managers: page.items.map(toPropertyManagerDto), next_cursor: page.nextCursor };
  }
}
