import { Controller, Get, Header, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../common/auth/authenticated.decorator';
import { ApiProblemResponses } from '../../common/errors/api-problem-responses.decorator';
import { ChatbotRateLimit } from '../security/rate-limit.decorator';
import { OwnerLookupDto } from './dto/owner-lookup.dto';
import { OwnerLookupService, ResolvedOwner } from './owner-lookup.service';

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Declares the lookup (route, guards, OpenAPI). Its Fastify handler is wrapped by
 * `serveChatbotRoutesFast` (chatbot-fast-routes.ts), which answers authenticated `X-API-Key`
 * calls with the same services and hands everything else to this handler's pipeline.
 */
@ApiTags('chatbot')
@Authenticated('chatbot')
@ChatbotRateLimit()
@Controller('chatbot')
export class ChatbotController {
  constructor(private readonly lookup: OwnerLookupService) {}

  @Get('lookup')
  @Header('content-type', JSON_TYPE)
  @ApiOperation({ summary: 'Who owns this number now (chatbot API key)' })
  @ApiQuery({ name: 'phone_number', example: '+14125551234', description: 'E.164, whatsapp:+1…, (412) 555-1234 or 412-555-1234' })
  @ApiOkResponse({ type: OwnerLookupDto })
  @ApiProblemResponses(400, 404)
  lookupOwner(@Req() request: { query: { phone_number?: unknown } }): string | Promise<string> {
    // The raw request rather than @Query: no pipe runs on this hot path (the service validates).
    // The owner's JSON is serialised once when cached; a hit sends it as is.
    const owner = this.lookup.byPhone(request.query.phone_number);
    return owner instanceof ResolvedOwner ? owner.json : owner.then((resolved) => resolved.json);
  }
}
