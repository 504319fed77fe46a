import { Body, Controller, Header, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from '../../common/errors/api-problem-responses.decorator';
import { ChatbotRateLimit } from '../security/rate-limit.decorator';
import { VapiSecretGuard } from './vapi-secret.guard';
import { VapiWebhookService } from './vapi-webhook.service';

@ApiTags('chatbot')
@ChatbotRateLimit()
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
    schema: {
      oneOf: [
        {
          type: 'object',
          required: ['assistantId', 'assistantOverrides'],
          properties: {
            assistantId: { type: 'string' },
            assistantOverrides: { type: 'object', properties: { variableValues: { type: 'object', additionalProperties: true } } },
          },
        },
        { type: 'object', required: ['error'], properties: { error: { type: 'string' } } },
        { type: 'object', required: ['received'], properties: { received: { type: 'boolean', enum: [true] } } },
      ],
    },
  })
  @ApiProblemResponses(401, 503)
  receive(@Body() body: unknown): string | Promise<string> {
    return this.webhook.handle(body);
  }
}
