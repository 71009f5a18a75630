import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';

export interface SqlResult<T> {
  rows: T[];
  /** Rows changed by INSERT/UPDATE/DELETE. */
  affected: number;
}

interface SqliteStatement {
  reader: boolean;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number };
}
interface SqliteDb {
  prepare(sql: string): SqliteStatement;
}
interface PgQueryable {
  query(config: { text: string; values: unknown[] }): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

/**
 * Hand-written SQL for the request path, written once with PostgreSQL's `$1` placeholders and
 * rewritten to SQLite's positional `?` (parameters reordered to match). It talks to the driver
 * under TypeORM directly — better-sqlite3's prepared statements (kept here, one per SQL
 * text), pg's client of the transaction or its pool — because TypeORM's query runner costs
 * more per statement than SQLite itself on this path. Transactions still belong to TypeORM
 * (UnitOfWork): a statement runs on the connection of `em`'s transaction. Driver errors are
 * wrapped in TypeORM's QueryFailedError, as the rest of the code expects.
 */
@Injectable()
export class Sql {
  readonly postgres: boolean;
  private readonly rewritten = new Map<string, { text: string; order: number[] }>();
  private readonly statements = new Map<string, SqliteStatement>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.postgres = dataSource.options.type === 'postgres';
  }

  /** Runs `sql` inside `em`'s transaction, or on its own when `em` has none. */
  async run<T = Record<string, unknown>>(em: EntityManager | null, sql: string, params: readonly unknown[] = []): Promise<SqlResult<T>> {
    return this.postgres ? this.runPostgres<T>(em, sql, params) : this.runSqlite<T>(sql, params);
  }

  async rows<T = Record<string, unknown>>(em: EntityManager | null, sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.run<T>(em, sql, params)).rows;
  }

  async one<T = Record<string, unknown>>(em: EntityManager | null, sql: string, params: readonly unknown[] = []): Promise<T | null> {
    return (await this.run<T>(em, sql, params)).rows[0] ?? null;
  }

  private async runPostgres<T>(em: EntityManager | null, sql: string, params: readonly unknown[]): Promise<SqlResult<T>> {
    // inside a transaction: its client; otherwise any pooled client
    const client: PgQueryable = em?.queryRunner
      ? ((await (em.queryRunner as unknown as { connect(): Promise<PgQueryable> }).connect()) as PgQueryable)
      : (this.dataSource.driver as unknown as { master: PgQueryable }).master;
    try {
      const r = await client.query({ text: sql, values: params as unknown[] });
      return { rows: r.rows as T[], affected: r.rowCount ?? 0 };
    } catch (e) {
      throw new QueryFailedError(sql, params as unknown[], e as Error);
    }
  }

  private runSqlite<T>(sql: string, params: readonly unknown[]): SqlResult<T> {
    let r = this.rewritten.get(sql);
    if (!r) {
      const order: number[] = [];
      const text = sql.replace(/\$(\d+)/g, (_, n: string) => {
        order.push(Number(n) - 1);
        return '?';
      });
      r = { text, order };
      this.rewritten.set(sql, r);
    }
    // better-sqlite3 binds no booleans
    const values = r.order.map((i) => (typeof params[i] === 'boolean' ? (params[i] ? 1 : 0) : params[i]));
    try {
      let stmt = this.statements.get(r.text);
      if (!stmt) {
        // one connection for the process; the UnitOfWork serialises transactions on it
        const db = (this.dataSource.driver as unknown as { databaseConnection: SqliteDb }).databaseConnection;
        stmt = db.prepare(r.text);
        this.statements.set(r.text, stmt);
      }
      if (stmt.reader) return { rows: stmt.all(...values) as T[], affected: 0 };
      return { rows: [], affected: stmt.run(...values).changes };
    } catch (e) {
      throw new QueryFailedError(r.text, values, e as Error);
    }
  }
}

/** bigint columns come back as strings from pg and numbers from SQLite. */
export const num = (v: unknown): number => Number(v);
export const numOrNull = (v: unknown): number | null => (v == null ? null : Number(v));
export const dateOf = (v: unknown): Date => new Date(Number(v));
export const dateOrNull = (v: unknown): Date | null => (v == null ? null : new Date(Number(v)));
/** booleans are 0/1 in SQLite. */
export const bool = (v: unknown): boolean => v === true || v === 1 || v === '1' || v === 't';
