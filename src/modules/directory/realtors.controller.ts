import { ApiProblemResponses } from '../../common/errors/api-problem-responses.decorator';
import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { IdParamPipe } from '../../common/validation/id-param.pipe';
import { ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentActor } from '../../common/auth/authenticated.decorator';
import type { Actor } from '../../common/auth/principal';
import { DirectoryService } from './directory.service';
import { toRealtorDto } from './directory.mapper';
import { CreateRealtorDto, ListRealtorsQueryDto, RealtorDto, RealtorListDto, UpdateRealtorDto } from './dto/realtor.dto';

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

  /** Changes one of the calling PM's realtors (name, email). A realtor of another PM is 404. */
  @ApiProblemResponses(400, 404, 409)
  @Patch(':id')
  async update(@Param('id', new IdParamPipe()) id: number, @Body() dto: UpdateRealtorDto, @CurrentActor() actor: Actor): Promise<RealtorDto> {
    return toRealtorDto(await this.directory.updateRealtor(actor.principal.propertyManagerId!, id, dto));
  }
}
