import { Global, Module } from '@nestjs/common';
import { ChangeFeed } from './change-feed';
import { DomainEvents } from './domain-events';

/** One feed per process, for every module that caches, and the domain events that feed it locally. */
@Global()
@Module({ providers: [ChangeFeed, DomainEvents], exports: [ChangeFeed, DomainEvents] })
export class ChangeFeedModule {}
