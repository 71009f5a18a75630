import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, EntityTarget, QueryFailedError } from 'typeorm';
import { Dialect, SqliteStatement } from './dialect.js';
import { EntityMapper } from './entity-mapper.js';
import { UnitOfWork } from './unit-of-work.js';

/** A write held back until the unit of work's next read or its commit (Sql.write). */
interface HeldWrite {
  table: string;
  sql: string;
  params: readonly unknown[];
  check?: (affected: number) => void;
}

/** The table an INSERT, UPDATE or DELETE writes. */
function tableWritten(sql: string): string {
  const m = /^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)/i.exec(sql);
  if (!m || /\bRETURNING\b/i.test(sql))
    throw new Error(`Sql.write takes an INSERT, UPDATE or DELETE without RETURNING: ${sql.slice(0, 60)}`);
  return m[1]!.toLowerCase();
}

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
  /** PostgreSQL: the writes held back in each unit of work (see write()). */
  private readonly held = new WeakMap<EntityManager, HeldWrite[]>();
  /** PostgreSQL: the combined statement of each sequence of held writes. */
  private readonly batches = new Map<string, string>();
  private readonly flushHeld = (em: EntityManager) => this.flush(em);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    readonly dialect: Dialect,
    private readonly uow: UnitOfWork,
  ) {}

  /** A write (or a read that locks), inside `em`'s transaction. */
  run<T = Record<string, unknown>>(em: EntityManager, sql: string, params: readonly unknown[] = []): Promise<SqlResult<T>> {
    return this.execute<T>(em, sql, params);
  }

  /**
   * A write whose only result is its row count (INSERT, UPDATE or DELETE without RETURNING),
   * inside `em`'s transaction; `check` gets the count and may throw, which rolls the
   * transaction back. On PostgreSQL the write is held back: the unit of work's held writes go
   * to the server as one statement (each a data-modifying WITH query) before the next statement
   * that reads in the same unit of work, or before COMMIT. A change that updates the user,
   * appends its events, replaces its code and enqueues its mail so costs one round trip instead
   * of four. A second write to a table that already has one held sends the held ones first: the
   * parts of one statement do not see each other's rows. On SQLite the write runs at once.
   */
  async write(em: EntityManager, sql: string, params: readonly unknown[], check?: (affected: number) => void): Promise<void> {
    const table = tableWritten(sql);
    if (!this.dialect.postgres) {
      const { affected } = this.runSqlite(sql, params);
      check?.(affected);
      return;
    }
    // held writes go out before COMMIT: there must be a transaction (a UnitOfWork's) to hold them for
    if (!em.queryRunner?.isTransactionActive) throw new Error('Sql.write needs the EntityManager of a unit of work');
    let held = this.held.get(em);
    if (held?.some((w) => w.table === table)) {
      await this.flush(em);
      held = undefined;
    }
    if (!held) {
      held = [];
      this.held.set(em, held);
      this.uow.beforeCommit(em, this.flushHeld);
    }
    held.push({ table, sql, params, check });
  }

  /** Sends the writes held in `em`'s unit of work, as one statement, and checks their counts. */
  private async flush(em: EntityManager): Promise<void> {
    const held = this.held.get(em);
    if (!held?.length) return;
    this.held.delete(em);
    if (held.length === 1) {
      const [w] = held as [HeldWrite];
      const r = await this.runPostgres(em, w.sql, w.params);
      w.check?.(r.affected);
      return;
    }
    const key = held.map((w) => w.sql).join('\u0000');
    let text = this.batches.get(key);
    if (!text) {
      let offset = 0;
      const parts = held.map((w, i) => {
        const shifted = w.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
        offset += w.params.length;
        return `w${i} AS (${shifted} RETURNING 1)`;
      });
      text = `WITH ${parts.join(', ')} SELECT ${held.map((_, i) => `(SELECT count(*) FROM w${i}) AS n${i}`).join(', ')}`;
      this.batches.set(key, text);
    }
    const r = await this.runPostgres<Record<string, unknown>>(
      em,
      text,
      held.flatMap((w) => w.params),
    );
    const counts = r.rows[0] ?? {};
    held.forEach((w, i) => w.check?.(Number(counts[`n${i}`])));
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
    if (this.held.has(em)) await this.flush(em);
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
    if (this.dialect.postgres) {
      // what the unit of work wrote so far is there for what it reads next
      if (em && this.held.has(em)) return this.flush(em).then(() => this.runPostgres<T>(em, sql, params));
      return this.runPostgres<T>(em, sql, params);
    }
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
