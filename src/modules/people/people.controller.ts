import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentActor } from '../../common/auth/authenticated.decorator';
import type { Actor } from '../../common/auth/principal';
import { ApiProblemResponses } from '../../common/errors/api-problem-responses.decorator';
import { IdParamPipe } from '../../common/validation/id-param.pipe';
import { DirectoryService } from '../directory/directory.service';
import { toPropertyManagerDto } from '../directory/directory.mapper';
import { PropertyManagerDto, UpdatePropertyManagerDto } from '../directory/dto/property-manager.dto';
import { OffboardingDto, OffboardPropertyManagerDto, PropertyManagerDetailDto, RemovedRealtorDto } from './dto/people.dto';
import { toOffboardingDto, toPropertyManagerDetailDto, toRemovedRealtorDto } from './people.mapper';
import { PeopleService } from './people.service';

@ApiTags('admin: property managers')
@Authenticated('admin')
@Controller('admin/property-managers')
export class AdminPropertyManagerController {
  constructor(
    private readonly people: PeopleService,
    private readonly directory: DirectoryService,
  ) {}

  /** One property manager (offboarded ones too), with counts of realtors, numbers by status and pending requests. */
  @ApiProblemResponses(400, 404)
  @Get(':id')
  async get(@Param('id', new IdParamPipe()) id: number): Promise<PropertyManagerDetailDto> {
    return toPropertyManagerDetailDto(await this.people.propertyManagerDetail(id));
  }

  /** Changes a property manager's name, email or company name (at least one). */
  @ApiProblemResponses(400, 404, 409)
  @Patch(':id')
  async update(@Param('id', new IdParamPipe()) id: number, @Body() dto: UpdatePropertyManagerDto, @CurrentActor() actor: Actor): Promise<PropertyManagerDto> {
    return toPropertyManagerDto(await this.directory.updatePropertyManager(id, dto, actor));
  }

  /**
   * The PM leaves: pending requests cancelled, realtors removed, numbers inactive, or released at
   * Twilio and VAPI with `release_numbers: true` (each failure listed; run it again to retry).
   * Idempotent. 409 while a purchase for the PM is in progress.
   */
  @ApiProblemResponses(400, 404, 409, 503)
  @Post(':id/offboard')
  @HttpCode(200)
  async offboard(@Param('id', new IdParamPipe()) id: number, @Body() dto: OffboardPropertyManagerDto, @CurrentActor() actor: Actor): Promise<OffboardingDto> {
    return toOffboardingDto(await this.people.offboard(id, dto.release_numbers ?? false, actor));
  }
}

@ApiTags('dashboard: realtors')
@Authenticated('property_manager')
@Controller('property-manager/realtors')
export class RealtorRemovalController {
  constructor(private readonly people: PeopleService) {}

  /**
   * Removes one of the calling PM's realtors: the number they hold becomes available at once, their
   * dashboard access stops, and their email may be used again. History keeps them.
   */
  @ApiProblemResponses(400, 404)
  @Delete(':id')
  async remove(@Param('id', new IdParamPipe()) id: number, @CurrentActor() actor: Actor): Promise<RemovedRealtorDto> {
    return toRemovedRealtorDto(await this.people.removeRealtor(actor.principal.propertyManagerId!, id));
  }
}
