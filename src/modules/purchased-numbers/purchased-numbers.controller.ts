import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentActor } from '../../common/auth/authenticated.decorator';
import type { Actor } from '../../common/auth/principal';
import { toRealtorDto } from '../directory/directory.mapper';
import { MyPurchasedNumbersDto } from './dto/purchased-number.dto';
import { toPurchasedNumberDto } from './purchased-numbers.mapper';
import { PurchasedNumbersService } from './purchased-numbers.service';

@ApiTags('dashboard: purchased numbers')
@Authenticated('property_manager')
@Controller()
export class PurchasedNumbersController {
  constructor(private readonly numbers: PurchasedNumbersService) {}

  /** Your numbers, those you can assign now, and your realtors. */
  @Get('purchased-phone-numbers')
  async mine(@CurrentActor() actor: Actor): Promise<MyPurchasedNumbersDto> {
    const { numbers, realtors } = await this.numbers.overviewFor(actor.principal.propertyManagerId!);
    const dtos = numbers.map(toPurchasedNumberDto);
    return {
      purchased_numbers: dtos,
      available_for_assignment: dtos.filter((n) => n.status === 'available'),
      realtors: realtors.map(toRealtorDto),
    };
  }
}
