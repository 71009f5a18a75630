import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, EntityTarget, QueryFailedError } from 'typeorm';
import { Dialect, SqliteStatement } from './dialect.js';
import { EntityMapper } from './entity-mapper.js';
import { UnitOfWork } from './unit-of-work.js';

export interface SqlResult<T> {
  rows: T[];
  /** Rows changed by INSERT/UPDATE/DELETE. */
  affected: number;
}

/**
 * The repositories' one way to the database: hand-written SQL (PostgreSQL's form, see Dialect),
 * prepared once per text on SQLite, run on the driver under TypeORM — TypeORM's query runner
 * costs more per statement than SQLite itself on the request path. Transactions still belong
 * to TypeORM, through the UnitOfWork:
 *
 * - a write (`run`) takes the unit of work's EntityManager and runs in its transaction;
 * - a read (`rows`, `one`) takes it too when it is part of one, or `null` for a read of its own.
 *   On SQLite, where the one connection is shared, a read of its own waits while a unit of work
 *   is open (`UnitOfWork.outside`): it can neither see uncommitted rows nor join that transaction.
 *
 * Driver errors are wrapped in TypeORM's QueryFailedError, as the rest of the code expects.
 */
@Injectable()
export class Sql {
  private readonly statements = new Map<string, SqliteStatement>();
  private readonly mappers = new Map<unknown, EntityMapper<object>>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    readonly dialect: Dialect,
    private readonly uow: UnitOfWork,
  ) {}

  /** A write (or a read that locks), inside `em`'s transaction. */
  run<T = Record<string, unknown>>(em: EntityManager, sql: string, params: readonly unknown[] = []): Promise<SqlResult<T>> {
    return this.execute<T>(em, sql, params);
  }

  /** The rows of a read: inside `em`'s transaction, or on its own when `em` is null. */
  async rows<T = Record<string, unknown>>(em: EntityManager | null, sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.execute<T>(em, sql, params)).rows;
  }

  async one<T = Record<string, unknown>>(em: EntityManager | null, sql: string, params: readonly unknown[] = []): Promise<T | null> {
    return (await this.execute<T>(em, sql, params)).rows[0] ?? null;
  }

  /** The columns and row mapping of an entity, from TypeORM's metadata of it (see EntityMapper). */
  mapper<T extends object>(entity: new () => T): EntityMapper<T> {
    let m = this.mappers.get(entity);
    if (!m) {
      m = new EntityMapper<T>(this.dataSource.getMetadata(entity as EntityTarget<T>), () => new entity());
      this.mappers.set(entity, m);
    }
    return m as EntityMapper<T>;
  }

  private execute<T>(em: EntityManager | null, sql: string, params: readonly unknown[]): Promise<SqlResult<T>> {
    if (this.dialect.postgres) return this.runPostgres<T>(em, sql, params);
    // inside a unit of work, the statement is the transaction's (SQLite's one connection holds it)
    if (em) return Promise.resolve(this.runSqlite<T>(sql, params));
    return this.uow.outside(() => this.runSqlite<T>(sql, params));
  }

  private async runPostgres<T>(em: EntityManager | null, sql: string, params: readonly unknown[]): Promise<SqlResult<T>> {
    const client = await this.dialect.pgClient(em);
    try {
      const r = await client.query({ text: sql, values: params as unknown[] });
      return { rows: r.rows as T[], affected: r.rowCount ?? 0 };
    } catch (e) {
      throw new QueryFailedError(sql, params as unknown[], e as Error);
    }
  }

  private runSqlite<T>(sql: string, params: readonly unknown[]): SqlResult<T> {
    const { text, order } = this.dialect.text(sql);
    const values = this.dialect.bind(params, order);
    try {
      let stmt = this.statements.get(text);
      if (!stmt) {
        stmt = this.dialect.sqliteConnection().prepare(text);
        this.statements.set(text, stmt);
      }
      if (stmt.reader) return { rows: stmt.all(...values) as T[], affected: 0 };
      return { rows: [], affected: stmt.run(...values).changes };
    } catch (e) {
      throw new QueryFailedError(text, values, e as Error);
    }
  }
}
