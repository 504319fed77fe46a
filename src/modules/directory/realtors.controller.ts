import { ApiProblemResponses } from '../../common/errors/api-problem-responses.decorator';
import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentActor } from '../../common/auth/authenticated.decorator';
import type { Actor } from '../../common/auth/principal';
import { DirectoryService } from './directory.service';
import { toRealtorDto } from './directory.mapper';
import { CreateRealtorDto, ListRealtorsQueryDto, RealtorDto, RealtorListDto } from './dto/realtor.dto';

@ApiTags('dashboard: realtors')
@Authenticated('property_manager')
@Controller('property-manager/realtors')
export class RealtorsController {
  constructor(private readonly directory: DirectoryService) {}

  /** Adds a realtor to the calling PM's team. */
  @ApiProblemResponses(400, 409)
  @Post()
  async create(@Body() dto: CreateRealtorDto, @CurrentActor() actor: Actor): Promise<RealtorDto> {
    return toRealtorDto(await this.directory.createRealtor(actor.principal.propertyManagerId!, dto));
  }

  /** The calling PM's realtors. */
  @ApiProblemResponses(400)
  @Get()
  async list(@Query() query: ListRealtorsQueryDto, @CurrentActor() actor: Actor): Promise<RealtorListDto> {
    const page = await this.directory.listRealtors(actor.principal.propertyManagerId!, query);
    return { realtors: page.items.map(toRealtorDto), next_cursor: page.nextCursor };
  }
}
