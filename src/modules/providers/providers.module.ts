import { Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { NumberProvider } from './number-provider';
import { SandboxNumberProvider, SandboxVoiceAgentProvider } from './sandbox.providers';
import { TelephonySettings } from './telephony-settings';
import { SmsProvider } from './sms-provider';
import { TwilioNumberProvider } from './twilio-number.provider';
import { SandboxSmsProvider, TwilioSmsProvider } from './twilio-sms.provider';
import { VapiVoiceAgentProvider } from './vapi-voice-agent.provider';
import { VoiceAgentProvider } from './voice-agent-provider';

/**
 * The adapters behind the telephony ports, chosen by `TELEPHONY_MODE`. In live mode without
 * credentials the live adapters are still bound (with empty credentials): the purchase flow
 * checks `TelephonySettings.missing` first and answers 503 before any call is made.
 */
@Module({
  providers: [
    { provide: TelephonySettings, inject: [AppConfig], useFactory: (config: AppConfig) => new TelephonySettings(config) },
    {
      provide: NumberProvider,
      inject: [AppConfig, getDataSourceToken()],
      useFactory: (config: AppConfig, dataSource: DataSource): NumberProvider => {
        const t = config.telephony;
        // The sandbox's inventory is the database, shared by every instance.
        if (t.mode === 'sandbox') return new SandboxNumberProvider(dataSource);
        return new TwilioNumberProvider({
          accountSid: t.twilioAccountSid ?? 'AC_unconfigured',
          authToken: t.twilioAuthToken ?? 'unconfigured',
          baseUrl: t.twilioApiBaseUrl,
          timeoutMs: t.providerTimeoutMs,
        });
      },
    },
    {
      provide: SmsProvider,
      inject: [AppConfig],
      useFactory: (config: AppConfig): SmsProvider => {
        const t = config.telephony;
        if (t.mode === 'sandbox') return new SandboxSmsProvider();
        return new TwilioSmsProvider({
          accountSid: t.twilioAccountSid ?? 'AC_unconfigured',
          authToken: t.twilioAuthToken ?? 'unconfigured',
          baseUrl: t.twilioApiBaseUrl,
          timeoutMs: t.providerTimeoutMs,
        });
      },
    },
    {
      provide: VoiceAgentProvider,
      inject: [AppConfig],
      useFactory: (config: AppConfig): VoiceAgentProvider => {
        const t = config.telephony;
        if (t.mode === 'sandbox') return new SandboxVoiceAgentProvider();
        return new VapiVoiceAgentProvider({
          apiKey: t.vapiApiKey ?? 'unconfigured',
          assistantId: t.vapiAssistantId,
          twilioAccountSid: t.twilioAccountSid ?? '',
          twilioAuthToken: t.twilioAuthToken ?? '',
          baseUrl: t.vapiApiBaseUrl,
          timeoutMs: t.providerTimeoutMs,
        });
      },
    },
  ],
  exports: [NumberProvider, VoiceAgentProvider, SmsProvider, TelephonySettings],
})
export class ProvidersModule {}
