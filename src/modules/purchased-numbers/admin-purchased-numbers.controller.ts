import { ApiProblemResponses } from '../../common/errors/api-problem-responses.decorator';
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AuditedAs } from '../audit/admin-attempt-auditor';
import { IdParamPipe } from '../../common/validation/id-param.pipe';
import { Authenticated, CurrentActor } from '../../common/auth/authenticated.decorator';
import type { Actor } from '../../common/auth/principal';
import {
  AddedPurchasedNumberDto,
  AddedPurchasedNumbersDto,
  AddPurchasedNumberDto,
  AddPurchasedNumbersDto,
  ListPurchasedNumbersQueryDto,
  PurchasedNumberDto,
  PurchasedNumberListDto,
} from './dto/purchased-number.dto';
import { toAddedPurchasedNumberDto, toPurchasedNumberDto } from './purchased-numbers.mapper';
import { NumberListPages } from './number-list-pages';
import { PurchasedNumbersService } from './purchased-numbers.service';

@ApiTags('admin: purchased numbers')
@Authenticated('admin')
@Controller('admin')
export class AdminPurchasedNumbersController {
  constructor(
    private readonly numbers: PurchasedNumbersService,
    private readonly listPages: NumberListPages,
  ) {}

  /**
   * Records a number bought at any provider. It becomes available for the PM to assign, and
   * the PM's pending requests are marked fulfilled.
   */
  @ApiProblemResponses(400, 404, 409)
  @Post('add-purchased-number')
  async add(@Body() dto: AddPurchasedNumberDto, @CurrentActor() actor: Actor): Promise<AddedPurchasedNumberDto> {
    return toAddedPurchasedNumberDto(await this.numbers.addPurchased(dto, actor));
  }

  /**
   * Records up to 1,000 numbers at once, all or nothing: each exactly as `add-purchased-number`
   * (pending requests fulfilled, one audit record per number). A refusal (409 `numbers_rejected`,
   * or 400 for a malformed item) names every refused item in `errors` (`index`, `field`, `code`).
   */
  @ApiProblemResponses(400, 409)
  @AuditedAs('purchased_number.add_many')
  @Post('add-purchased-numbers')
  async addMany(@Body() dto: AddPurchasedNumbersDto, @CurrentActor() actor: Actor): Promise<AddedPurchasedNumbersDto> {
    return { numbers: (await this.numbers.addManyPurchased(dto.numbers, actor)).map(toAddedPurchasedNumberDto) };
  }

  /** Every purchased number, oldest first, filtered by PM and status. */
  @ApiProblemResponses(400)
  @Get('all-purchased-numbers')
  async list(@Query() query: ListPurchasedNumbersQueryDto): Promise<PurchasedNumberListDto> {
    return (await this.listPages.page({ propertyManagerId: query.property_manager_id, status: query.status }, query)).dto;
  }

  /** Takes a number out of service (`inactive`); its assignment, if any, ends. */
  @ApiProblemResponses(400, 404, 409)
  @Post('purchased-numbers/:id/deactivate')
  @HttpCode(200)
  async deactivate(@Param('id', new IdParamPipe()) id: number, @CurrentActor() actor: Actor): Promise<PurchasedNumberDto> {
    return toPurchasedNumberDto(await this.numbers.deactivate(id, actor));
  }

  /** Puts an inactive number back in service (`available`). */
  @ApiProblemResponses(400, 404, 409)
  @Post('purchased-numbers/:id/reactivate')
  @HttpCode(200)
  async reactivate(@Param('id', new IdParamPipe()) id: number, @CurrentActor() actor: Actor): Promise<PurchasedNumberDto> {
    return toPurchasedNumberDto(await this.numbers.reactivate(id, actor));
  }
}
