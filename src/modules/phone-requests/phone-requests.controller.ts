import { ApiProblemResponses } from '../../common/errors/api-problem-responses.decorator';
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { IdParamPipe } from '../../common/validation/id-param.pipe';
import { Authenticated, CurrentActor } from '../../common/auth/authenticated.decorator';
import type { Actor } from '../../common/auth/principal';
import { CreatePhoneRequestDto, ListMyPhoneRequestsQueryDto, PhoneRequestDto, PhoneRequestListDto } from './dto/phone-request.dto';
import { toPhoneRequestDto } from './phone-requests.mapper';
import { PhoneRequestsService } from './phone-requests.service';

@ApiTags('dashboard: phone number requests')
@Authenticated('property_manager')
@Controller()
export class PhoneRequestsController {
  constructor(private readonly requests: PhoneRequestsService) {}

  /** Asks the tech team for a phone number. */
  @ApiProblemResponses(400)
  @Post('request-phone-number')
  async create(@Body() dto: CreatePhoneRequestDto, @CurrentActor() actor: Actor): Promise<PhoneRequestDto> {
    return toPhoneRequestDto(await this.requests.create(actor.principal.propertyManagerId!, dto));
  }

  /** The calling PM's requests, oldest first. */
  @ApiProblemResponses(400)
  @Get('my-phone-number-requests')
  async listMine(@Query() query: ListMyPhoneRequestsQueryDto, @CurrentActor() actor: Actor): Promise<PhoneRequestListDto> {
    const page = await this.requests.list({ propertyManagerId: actor.principal.propertyManagerId!, status: query.status }, query);
    return { requests: page.items.map(toPhoneRequestDto), next_cursor: page.nextCursor };
  }

  /** Cancels one of your pending requests. */
  @ApiProblemResponses(400, 404, 409)
  @Post('my-phone-number-requests/:request_id/cancel')
  @HttpCode(200)
  async cancel(
    @Param('request_id', new IdParamPipe('request_id')) requestId: number,
    @CurrentActor() actor: Actor,
  ): Promise<PhoneRequestDto> {
    return toPhoneRequestDto(await this.requests.cancel(actor.principal.propertyManagerId!, requestId));
  }
}
