import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { ProblemDetailsFilter } from './common/errors/problem-details.filter';
import { pinoHttpOptions } from './common/logging/logging.options';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { ChangeFeedModule } from './database/change-feed';
import { DatabaseModule } from './database/database.module';
import { AssignmentsModule } from './modules/assignments/assignments.module';
import { AuditModule } from './modules/audit/audit.module';
import { AuthModule } from './modules/auth/auth.module';
import { ChatbotModule } from './modules/chatbot/chatbot.module';
import { CHATBOT_ROUTES } from './modules/chatbot/chatbot-routes';
import { DirectoryModule } from './modules/directory/directory.module';
import { HealthModule } from './modules/health/health.module';
import { MetricsModule } from './modules/metrics/metrics.module';
import { PhoneRequestsModule } from './modules/phone-requests/phone-requests.module';
import { PurchasedNumbersModule } from './modules/purchased-numbers/purchased-numbers.module';
import { PurchasesModule } from './modules/purchases/purchases.module';
import { SecurityModule } from './modules/security/security.module';

/** The whole service. `config` is validated by the caller (main.ts, or a test). */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: pinoHttpOptions(config),
          // A log line per chatbot request costs a large share of the lookup's throughput; errors
          // are still logged. LOG_CHATBOT_REQUESTS=true turns them back on.
          exclude: config.chatbot.logRequests ? [] : CHATBOT_ROUTES,
        }),
        DatabaseModule,
        ChangeFeedModule,
        AuditModule,
        AuthModule,
        DirectoryModule,
        PhoneRequestsModule,
        PurchasedNumbersModule,
        AssignmentsModule,
        PurchasesModule,
        HealthModule,
        SecurityModule,
        ChatbotModule,
        MetricsModule.forRoot(config.metricsEnabled),
      ],
      providers: [{ provide: APP_FILTER, useClass: ProblemDetailsFilter }],
    };
  }
}
