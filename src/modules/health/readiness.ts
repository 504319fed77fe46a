import { Global, Injectable, Module } from '@nestjs/common';

/** Whether this instance still wants traffic: false from SIGTERM on (see main.ts). */
@Injectable()
export class Readiness {
  accepting = true;
}

@Global()
@Module({ providers: [Readiness], exports: [Readiness] })
export class ReadinessModule {}
