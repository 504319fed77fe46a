import { ApiProblemResponses } from '../../common/errors/api-problem-responses.decorator';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../common/auth/authenticated.decorator';
import { ListAllPhoneRequestsQueryDto, PhoneRequestListDto } from './dto/phone-request.dto';
import { toPhoneRequestDto } from './phone-requests.mapper';
import { PhoneRequestsService } from './phone-requests.service';

@ApiTags('admin: phone number requests')
@Authenticated('admin')
@Controller('admin')
export class AdminPhoneRequestsController {
  constructor(private readonly requests: PhoneRequestsService) {}

  /** Every PM's requests, oldest first; e.g. `?status=pending` for the work queue. */
  @ApiProblemResponses(400)
  @Get('all-phone-number-requests')
  async listAll(@Query() query: ListAllPhoneRequestsQueryDto): Promise<PhoneRequestListDto> {
    const page = await this.requests.list({ propertyManagerId: query.property_manager_id, status: query.status }, query);
    return { requests: page.items.map(toPhoneRequestDto), next_cursor: page.nextCursor };
  }
}
