import { Controller, ExecutionContext, Get } from '@nestjs/common';
import { loadConfig } from '../../config/app-config';
import { ChatbotRateLimit } from './rate-limit.decorator';
import { throttlers } from './rate-limit.guard';

@ChatbotRateLimit()
@Controller('chatbot')
class ChatbotController {
  @Get('lookup') lookup() {}
}

@Controller()
class OtherController {
  @Get('x') read() {}
  @Get('y') write() {}
}

const context = (cls: any, handler: string, method: string, url: string) =>
  ({
    getClass: () => cls,
    getHandler: () => cls.prototype[handler],
    switchToHttp: () => ({ getRequest: () => ({ method, routeOptions: { url } }) }),
  }) as unknown as ExecutionContext;

/** Which named throttlers apply where (true = skipped). */
function applied(env: Record<string, string>, ctx: ExecutionContext): string[] {
  return throttlers(loadConfig({ NODE_ENV: 'test', ...env }))
    .filter((t) => !t.skipIf!(ctx))
    .map((t) => t.name!);
}

describe('rate limit throttlers', () => {
  it('applies read limits to reads, write limits to dashboard changes and the admin-write limit to admin changes', () => {
    expect(applied({}, context(OtherController, 'read', 'GET', '/x'))).toEqual(['read']);
    expect(applied({}, context(OtherController, 'write', 'POST', '/request-phone-number'))).toEqual(['write']);
    expect(applied({}, context(OtherController, 'write', 'POST', '/admin/api-keys'))).toEqual(['admin-write']);
  });

  it('puts no limit on chatbot routes by default, and the chatbot limit when configured', () => {
    const lookup = context(ChatbotController, 'lookup', 'GET', '/chatbot/lookup');
    expect(applied({}, lookup)).toEqual([]);
    expect(applied({ RATE_LIMIT_CHATBOT: '1000' }, lookup)).toEqual(['chatbot']);
  });

  it('turns a limit off with 0', () => {
    expect(applied({ RATE_LIMIT_READ: '0' }, context(OtherController, 'read', 'GET', '/x'))).toEqual([]);
  });

  it('keeps auth failures and anonymous writes tight by default, and lets an admin add 2,000 numbers one by one in a minute', () => {
    const { rateLimits } = loadConfig({ NODE_ENV: 'test' });
    expect(rateLimits.authFailures).toBeLessThanOrEqual(10);
    expect(rateLimits.write).toBeLessThanOrEqual(60);
    expect(rateLimits.read).toBeLessThanOrEqual(300);
    expect((rateLimits.adminWrite * 60) / rateLimits.windowSeconds).toBeGreaterThanOrEqual(2000);
    expect(rateLimits.chatbot).toBe(0);
  });
});
