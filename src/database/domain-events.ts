import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryRunner } from 'typeorm';
import { ChangeEvent, ChangeFeed } from './change-feed';
import { TransactionHost, type Tx } from './transactions';

/** What a module announces when something cached answers depend on has changed. */
export type DomainEvent = Exclude<ChangeEvent, { t: 'reset' }>;

/**
 * Domain events, delivered after the transaction that caused them commits (dropped if it rolls
 * back), or at once outside a transaction. Delivered synchronously on commit, so by the time the
 * request that changed something answers, this instance's caches know. Other instances learn of
 * the same change from the database's NOTIFY (see `ChangeFeed`).
 */
@Injectable()
export class DomainEvents implements OnModuleInit {
  private readonly pending = new WeakMap<QueryRunner, DomainEvent[]>();

  constructor(
    private readonly txHost: TransactionHost,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly feed: ChangeFeed,
  ) {}

  onModuleInit(): void {
    this.dataSource.subscribers.push({
      afterTransactionCommit: ({ queryRunner }) => {
        // A released savepoint is not the commit: the outer transaction is still open.
        if (queryRunner.isTransactionActive) return;
        const events = this.pending.get(queryRunner);
        this.pending.delete(queryRunner);
        for (const event of events ?? []) this.feed.deliver(event);
      },
      afterTransactionRollback: ({ queryRunner }) => {
        if (!queryRunner.isTransactionActive) this.pending.delete(queryRunner);
      },
    });
  }

  publish(event: DomainEvent): void {
    const runner = this.txHost.isTransactionActive() ? (this.txHost as Tx).tx.queryRunner : undefined;
    if (!runner?.isTransactionActive) return this.feed.deliver(event);
    const events = this.pending.get(runner) ?? [];
    events.push(event);
    this.pending.set(runner, events);
  }
}
