import { ClsPluginTransactional, TransactionHost } from '@nestjs-cls/transactional';
import { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import { ClsModule } from 'nestjs-cls';

/**
 * The current unit of work. `tx` is the EntityManager of the transaction this call runs in (carried
 * in async context), or the plain one outside a transaction; services never pass managers around.
 * A method marked `@Transactional()` starts a transaction or joins the one it is called in.
 */
export type Tx = TransactionHost<TransactionalAdapterTypeOrm>;
export { TransactionHost };

/**
 * Async-context transactions for the whole app. No middleware is mounted (the chatbot's hot path
 * pays nothing): a context is opened by `@Transactional()` / `withTransaction` where one is needed.
 */
export const TransactionsModule = ClsModule.forRoot({
  global: true,
  plugins: [
    new ClsPluginTransactional({
      adapter: new TransactionalAdapterTypeOrm({ dataSourceToken: getDataSourceToken() }),
    }),
  ],
});
