import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ChatbotController } from './chatbot.controller';
import { OwnerLookupService } from './owner-lookup.service';
import { VapiSecretGuard } from './vapi-secret.guard';
import { VapiWebhookController } from './vapi-webhook.controller';
import { VapiWebhookService } from './vapi-webhook.service';

/** The chatbot's entry points: the owner lookup and VAPI's webhook. */
@Module({
  imports: [AuthModule],
  controllers: [ChatbotController, VapiWebhookController],
  providers: [OwnerLookupService, VapiWebhookService, VapiSecretGuard],
  exports: [OwnerLookupService],
})
export class ChatbotModule {}
