import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from '../../common/errors/api-problem-responses.decorator';
import { InvalidInputError } from '../../common/errors/domain-error';
import { Authenticated, CurrentActor } from '../../common/auth/authenticated.decorator';
import type { Actor } from '../../common/auth/principal';
import { IdParamPipe } from '../../common/validation/id-param.pipe';
import { AuditedAs } from '../audit/admin-attempt-auditor';
import {
  AdoptedNumberDto,
  AdoptNumberDto,
  DriftQueryDto,
  DriftReportDto,
  ReleasedUntrackedDto,
  ReleaseUntrackedDto,
  RepairedNumberDto,
} from './dto/inventory.dto';
import { toAdoptedNumberDto, toDriftReportDto, toRepairedNumberDto } from './inventory.mapper';
import { InventoryService } from './inventory.service';

@ApiTags('admin: inventory')
@Authenticated('admin')
@Controller('admin')
export class InventoryController {
  constructor(private readonly inventory: InventoryService) {}

  /**
   * Compares, live, every number Twilio holds and every VAPI registration with our numbers and
   * lists each difference with the call that fixes it. A provider failure fails the report (502/504).
   */
  @ApiProblemResponses(400, 502, 503, 504)
  @Get('inventory/drift')
  async drift(@Query() query: DriftQueryDto): Promise<DriftReportDto> {
    return toDriftReportDto(await this.inventory.report(query.kind));
  }

  /** Records an untracked Twilio number for a PM with its real SID, registered at VAPI; again: the same row. */
  @ApiProblemResponses(400, 404, 409, 502, 503, 504)
  @Post('inventory/adopt')
  @AuditedAs('inventory.adopt')
  @HttpCode(200)
  async adopt(@Body() dto: AdoptNumberDto, @CurrentActor() actor: Actor): Promise<AdoptedNumberDto> {
    return toAdoptedNumberDto(await this.inventory.adopt({ phoneNumber: dto.phone_number, propertyManagerId: dto.property_manager_id, notes: dto.notes ?? null }, actor));
  }

  /** Re-registers at VAPI and resets Twilio's and VAPI's URLs; a number Twilio no longer holds becomes inactive. */
  @ApiProblemResponses(400, 404, 409, 502, 503, 504)
  @Post('purchased-numbers/:id/repair')
  @AuditedAs('inventory.repair')
  @HttpCode(200)
  async repair(@Param('id', new IdParamPipe()) id: number, @CurrentActor() actor: Actor): Promise<RepairedNumberDto> {
    return toRepairedNumberDto(await this.inventory.repair(id, actor));
  }

  /** Releases an untracked Twilio number or an orphaned VAPI registration; never one of our numbers (409). */
  @ApiProblemResponses(400, 409, 502, 503, 504)
  @Post('inventory/release')
  @AuditedAs('inventory.release')
  @HttpCode(200)
  async release(@Body() dto: ReleaseUntrackedDto, @CurrentActor() actor: Actor): Promise<ReleasedUntrackedDto> {
    if (Boolean(dto.twilio_sid) === Boolean(dto.vapi_phone_number_id)) {
      throw new InvalidInputError('one_target_required', 'Give exactly one of twilio_sid or vapi_phone_number_id.');
    }
    const { released } = await this.inventory.release({ twilioSid: dto.twilio_sid, vapiPhoneNumberId: dto.vapi_phone_number_id }, actor);
    return { twilio_sid: dto.twilio_sid ?? null, vapi_phone_number_id: dto.vapi_phone_number_id ?? null, released };
  }
}
