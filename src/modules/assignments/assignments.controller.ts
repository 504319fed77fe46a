import { ApiProblemResponses } from '../../common/errors/api-problem-responses.decorator';
import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentActor } from '../../common/auth/authenticated.decorator';
import type { Actor } from '../../common/auth/principal';
import { AssignmentResultDto, AssignNumberDto, MyNumberDto, UnassignmentResultDto, UnassignNumberDto } from './dto/assignment.dto';
import { toAssignmentResultDto, toMyNumberDto, toUnassignmentResultDto } from './assignments.mapper';
import { AssignmentsService } from './assignments.service';

@ApiTags('dashboard: assignments')
@Authenticated('property_manager')
@Controller()
export class AssignmentsController {
  constructor(private readonly assignments: AssignmentsService) {}

  /**
   * Assigns one of your available numbers to yourself or one of your realtors. If the assignee
   * already holds a number, that one is freed (it becomes available).
   */
  @ApiProblemResponses(400, 404, 409)
  @Post('assign-phone-number')
  @HttpCode(200)
  async assign(@Body() dto: AssignNumberDto, @CurrentActor() actor: Actor): Promise<AssignmentResultDto> {
    return toAssignmentResultDto(await this.assignments.assign(actor.principal.propertyManagerId!, dto));
  }

  /** Frees one of your assigned numbers; it becomes available again. */
  @ApiProblemResponses(400, 404, 409)
  @Post('unassign-phone-number')
  @HttpCode(200)
  async unassign(@Body() dto: UnassignNumberDto, @CurrentActor() actor: Actor): Promise<UnassignmentResultDto> {
    return toUnassignmentResultDto(await this.assignments.unassign(actor.principal.propertyManagerId!, dto.purchased_phone_number_id));
  }
}

@ApiTags('dashboard: assignments')
@Authenticated('property_manager', 'realtor')
@Controller()
export class MyNumberController {
  constructor(private readonly assignments: AssignmentsService) {}

  /** The number assigned to you (PM or realtor); 404 when you have none. */
  @ApiProblemResponses(404)
  @Get('my-number')
  async myNumber(@CurrentActor() actor: Actor): Promise<MyNumberDto> {
    return toMyNumberDto(await this.assignments.findNumberOf(actor.principal));
  }
}
