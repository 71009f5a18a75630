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
  /** PostgreSQL: the prepared statement's name of each text. */
  private readonly names = new Map<string, string>();

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

  /**
   * PostgreSQL only: several statements in one round trip, with the rows of each in order. It
   * goes through the simple query protocol, which takes no parameters: every value in `text` must
   * be a literal the caller has checked (digits, base64url). Under READ COMMITTED each statement takes
   * its own snapshot, so one that waits for a lock is followed by one that sees what the lock's
   * holder committed.
   */
  async script(em: EntityManager, text: string): Promise<Record<string, unknown>[][]> {
    if (!this.dialect.postgres) throw new Error('Sql.script is for PostgreSQL');
    const client = (await this.dialect.pgClient(em)) as unknown as { query(text: string): Promise<unknown> };
    try {
      const r = await client.query(text);
      return (Array.isArray(r) ? r : [r]).map((x: { rows: Record<string, unknown>[] }) => x.rows);
    } catch (e) {
      throw new QueryFailedError(text, [], e as Error);
    }
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
      const r = await client.query({ name: this.nameOf(sql), text: sql, values: params as unknown[] });
      return { rows: r.rows as T[], affected: r.rowCount ?? 0 };
    } catch (e) {
      throw new QueryFailedError(sql, params as unknown[], e as Error);
    }
  }

  /**
   * Every statement runs as a named prepared statement: pg parses it once per connection and
   * then only binds and executes it, so PostgreSQL neither parses nor plans the same text again
   * on every request (the texts are fixed: values are always bound, never spliced in).
   */
  private nameOf(sql: string): string {
    let name = this.names.get(sql);
    if (!name) {
      name = `s${this.names.size + 1}`;
      this.names.set(sql, name);
    }
    return name;
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
