import { SetMetadata } from '@nestjs/common';

export const CHATBOT_RATE_LIMIT_KEY = 'security:chatbot-rate-limit';

/**
 * For the chatbot's routes (lookup, VAPI webhook), which sit on every live call: exempts them
 * from the general `read`/`write` limits and applies only the `chatbot` throttler, whose limit is
 * `RATE_LIMIT_CHATBOT` per window per IP — 0 (the default) means no limit a busy bot could hit.
 * Refused credentials still count towards the auth-failure limit.
 * Put it on the controller class or a handler.
 */
export const ChatbotRateLimit = () => SetMetadata(CHATBOT_RATE_LIMIT_KEY, true);
