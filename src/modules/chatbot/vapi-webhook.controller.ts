import { Body, Controller, Header, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ProblemDto } from '../../common/errors/problem.dto';
import { VapiSecretGuard } from './vapi-secret.guard';
import { VapiWebhookService } from './vapi-webhook.service';

@ApiTags('chatbot')
@Controller('vapi')
export class VapiWebhookController {
  constructor(private readonly webhook: VapiWebhookService) {}

  @Post('webhook')
  @HttpCode(200)
  @UseGuards(VapiSecretGuard)
  @Header('content-type', 'application/json; charset=utf-8')
  @ApiOperation({ summary: 'VAPI server messages (x-vapi-secret header)' })
  @ApiBody({
    description: 'A VAPI server message; fields beyond these are accepted and ignored.',
    schema: {
      type: 'object',
      example: {
        message: {
          type: 'assistant-request',
          call: { id: 'call_1', phoneNumberId: 'vapi_123', customer: { number: '+14125550000' } },
          phoneNumber: { number: '+14125551234' },
          customer: { number: '+14125550000' },
        },
      },
    },
  })
  @ApiOkResponse({
    description: '`assistant-request`: `{assistantId, assistantOverrides: {variableValues}}`, or `{error}` when nobody owns the number. Other types: `{received: true}`.',
  })
  @ApiUnauthorizedResponse({ description: 'Missing or wrong x-vapi-secret.', type: ProblemDto })
  @ApiServiceUnavailableResponse({ description: 'VAPI_WEBHOOK_SECRET is not set.', type: ProblemDto })
  receive(@Body() body: unknown): string | Promise<string> {
    return this.webhook.handle(body);
  }
}
