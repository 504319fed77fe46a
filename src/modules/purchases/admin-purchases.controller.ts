import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiHeader, ApiTags } from '@nestjs/swagger';
import { InvalidInputError } from '../../common/errors/domain-error';
import { IdParamPipe } from '../../common/validation/id-param.pipe';
import { AuditedAs } from '../audit/admin-attempt-auditor';
import { Authenticated, CurrentActor } from '../auth/authenticated.decorator';
import type { Actor } from '../auth/principal';
import { PurchasedNumberDto } from '../purchased-numbers/dto/purchased-number.dto';
import { toPurchasedNumberDto } from '../purchased-numbers/purchased-numbers.mapper';
import {
  ListPurchaseOperationsQueryDto,
  PurchasedPhoneNumberResultDto,
  PurchaseOperationDto,
  PurchaseOperationListDto,
  PurchasePhoneNumberDto,
} from './dto/purchase.dto';
import { IdempotencyKey } from './idempotency-key.decorator';
import { NumberReleaseService } from './number-release.service';
import { toPurchaseOperationDto, toPurchaseResultDto } from './purchases.mapper';
import { PurchasesService } from './purchases.service';

@ApiTags('admin: purchases')
@Authenticated('admin')
@Controller('admin')
export class AdminPurchasesController {
  constructor(
    private readonly purchases: PurchasesService,
    private readonly releases: NumberReleaseService,
  ) {}

  /**
   * Searches Twilio in the area code (default 412), buys that number with its webhooks pointed
   * at VAPI, registers it with VAPI, records it available and fulfils the PM's pending requests.
   * With an `Idempotency-Key`, a retry returns the first result and never buys again.
   */
  @Post('purchase-phone-number')
  @AuditedAs('purchased_number.purchase')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Same key and body: the first result again; other body: 409.' })
  async purchase(
    @Body() dto: PurchasePhoneNumberDto,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @CurrentActor() actor: Actor,
  ): Promise<PurchasedPhoneNumberResultDto> {
    return toPurchaseResultDto(await this.purchases.purchase(dto, idempotencyKey, actor));
  }

  /** Automated purchases, newest first; `needs_attention=true` shows the ones the reconciler cannot finish. */
  @Get('purchase-operations')
  async list(@Query() query: ListPurchaseOperationsQueryDto): Promise<PurchaseOperationListDto> {
    const page = await this.purchases.list({ state: query.state, needsAttention: query.needs_attention }, query);
    return { purchase_operations: page.items.map(toPurchaseOperationDto), next_cursor: page.nextCursor };
  }

  @Get('purchase-operations/:id')
  async get(@Param('id', new ParseUUIDPipe({ exceptionFactory: () => new InvalidInputError('id must be a UUID.') })) id: string): Promise<PurchaseOperationDto> {
    return toPurchaseOperationDto(await this.purchases.get(id));
  }

  /** Gives the number back at VAPI and Twilio; the row stays, `inactive`, for history. */
  @Post('purchased-numbers/:id/release')
  @AuditedAs('purchased_number.release')
  @HttpCode(200)
  async release(@Param('id', new IdParamPipe()) id: number, @CurrentActor() actor: Actor): Promise<PurchasedNumberDto> {
    return toPurchasedNumberDto(await this.releases.release(id, actor));
  }
}
