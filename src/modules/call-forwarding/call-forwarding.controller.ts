import { Body, Controller, Get, Patch, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentActor } from '../../common/auth/authenticated.decorator';
import type { Actor } from '../../common/auth/principal';
import { ApiProblemResponses } from '../../common/errors/api-problem-responses.decorator';
import { CallForwardingService } from './call-forwarding.service';
import { toForwardingEventDto, toForwardingStateViewDto } from './call-forwarding.mapper';
import {
  AdminForwardingEventsQueryDto,
  CarrierListDto,
  ForwardingEventListDto,
  ForwardingEventsQueryDto,
  ForwardingStateQueryDto,
  ForwardingStateViewDto,
  UpdateForwardingStateDto,
} from './dto/call-forwarding.dto';

@ApiTags('dashboard: call forwarding')
@Authenticated('property_manager', 'realtor')
@Controller()
export class CallForwardingController {
  constructor(private readonly forwarding: CallForwardingService) {}

  /** The carriers whose dial codes we know, with their type and notes. */
  @Get('call-forwarding-carriers')
  carriers(): CarrierListDto {
    return { carriers: this.forwarding.carriers().map((c) => ({ name: c.name, type: c.type, notes: c.notes })) };
  }

  /** The caller's forwarding state (a PM: or one of their realtors') and the dial codes for the number assigned now. */
  @ApiProblemResponses(400, 404)
  @Get('call-forwarding-state')
  async state(@Query() query: ForwardingStateQueryDto, @CurrentActor() actor: Actor): Promise<ForwardingStateViewDto> {
    return toForwardingStateViewDto(await this.forwarding.view(actor.principal, query.realtor_id));
  }

  /**
   * Changes the forwarding state; each change is an event. More than 10 changes for one person
   * within an hour: 429 with Retry-After. `success` and `failure` text the operations number.
   */
  @ApiProblemResponses(400, 404, 429)
  @Patch('call-forwarding-state')
  async update(@Body() dto: UpdateForwardingStateDto, @CurrentActor() actor: Actor): Promise<ForwardingStateViewDto> {
    return toForwardingStateViewDto(
      await this.forwarding.update(actor.principal, {
        carrier: dto.carrier,
        businessForwardingEnabled: dto.business_forwarding_enabled,
        afterHoursEnabled: dto.after_hours_enabled,
        confirmationStatus: dto.confirmation_status,
        failureReason: dto.failure_reason,
        notes: dto.notes,
        realtorId: dto.realtor_id,
      }),
    );
  }

  /** Forwarding events: a realtor's own; a PM's own and their realtors'. Newest first. */
  @ApiProblemResponses(400)
  @Get('call-forwarding-events')
  async events(@Query() query: ForwardingEventsQueryDto, @CurrentActor() actor: Actor): Promise<ForwardingEventListDto> {
    const page = await this.forwarding.events(actor.principal, query);
    return { events: page.items.map(toForwardingEventDto), next_cursor: page.nextCursor };
  }
}

@ApiTags('admin: call forwarding')
@Authenticated('admin')
@Controller('admin/call-forwarding-events')
export class AdminCallForwardingController {
  constructor(private readonly forwarding: CallForwardingService) {}

  /** Every forwarding event, newest first; filter by PM (their own and their realtors'). */
  @ApiProblemResponses(400)
  @Get()
  async events(@Query() query: AdminForwardingEventsQueryDto): Promise<ForwardingEventListDto> {
    const page = await this.forwarding.allEvents({ propertyManagerId: query.property_manager_id }, query);
    return { events: page.items.map(toForwardingEventDto), next_cursor: page.nextCursor };
  }
}
