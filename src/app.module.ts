import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { ProblemDetailsFilter } from './common/errors/problem-details.filter';
import { PROBLEM_OBSERVERS, ProblemObserver } from './common/errors/problem-observer';
import { pinoHttpOptions } from './common/logging/logging.options';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { ChangeFeedModule } from './database/change-feed.module';
import { DatabaseModule } from './database/database.module';
import { TransactionsModule } from './database/transactions';
import { AssignmentsModule } from './modules/assignments/assignments.module';
import { AdminAttemptAuditor } from './modules/audit/admin-attempt-auditor';
import { AuditModule } from './modules/audit/audit.module';
import { AuthModule } from './modules/auth/auth.module';
import { CallForwardingModule } from './modules/call-forwarding/call-forwarding.module';
import { ChatbotModule } from './modules/chatbot/chatbot.module';
import { DirectoryModule } from './modules/directory/directory.module';
import { HealthModule } from './modules/health/health.module';
import { LegacyImportModule } from './modules/legacy-import/legacy-import.module';
import { NumbersModule } from './modules/numbers/numbers.module';
import { MetricsModule } from './modules/metrics/metrics.module';
import { PeopleModule } from './modules/people/people.module';
import { PhoneRequestsModule } from './modules/phone-requests/phone-requests.module';
import { PurchasedNumbersModule } from './modules/purchased-numbers/purchased-numbers.module';
import { PurchasesModule } from './modules/purchases/purchases.module';
import { InventoryModule } from './modules/inventory/inventory.module';
import { AuthFailureLimiter } from './modules/security/auth-failure-limiter';
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
          // No middleware: requests are logged by a Fastify hook (installRequestLogging), which
          // leaves the chatbot's routes out unless LOG_CHATBOT_REQUESTS=true.
          forRoutes: [],
        }),
        DatabaseModule,
        TransactionsModule,
        ChangeFeedModule,
        AuditModule,
        AuthModule,
        DirectoryModule,
        PhoneRequestsModule,
        NumbersModule,
        PurchasedNumbersModule,
        AssignmentsModule,
        PurchasesModule,
        InventoryModule,
        PeopleModule,
        CallForwardingModule,
        HealthModule,
        SecurityModule,
        ChatbotModule,
        MetricsModule.forRoot(config.metricsEnabled),
        LegacyImportModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        {
          provide: PROBLEM_OBSERVERS,
          inject: [AdminAttemptAuditor, AuthFailureLimiter],
          useFactory: (...observers: ProblemObserver[]) => observers,
        },
      ],
    };
  }
}
