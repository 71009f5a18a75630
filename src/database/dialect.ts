import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { DatabaseKind, databaseKind } from './database-kind.js';

/** A better-sqlite3 prepared statement: what Sql keeps one of per SQL text. */
export interface SqliteStatement {
  reader: boolean;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number };
}
interface SqliteDb {
  prepare(sql: string): SqliteStatement;
  /** better-sqlite3: whether a transaction is open (false after SQLite rolled one back on an error). */
  readonly inTransaction: boolean;
}
/** pg's Pool and PoolClient, as far as Sql uses them. */
/** What pgListen uses of pg's Pool: its Client class and the settings it connects with. */
interface PgPool {
  options: Record<string, unknown> & { application_name?: string };
  Client: new (options: Record<string, unknown>) => {
    connect(): Promise<void>;
    query(text: string): Promise<unknown>;
    end(): Promise<void>;
    on(event: 'error', listener: (e: Error) => void): void;
    on(event: 'end', listener: () => void): void;
    on(event: 'notification', listener: (n: { channel: string; payload?: string }) => void): void;
  };
}

export interface PgQueryable {
  query(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

/**
 * Everything that differs between SQLite and PostgreSQL, in one object: the database kind
 * (database-kind.ts, shared with the migrations only), placeholders, the row-locking clauses, how values are bound and
 * how a unique-key violation is recognised, and the two driver handles that Sql needs.
 *
 * SQL is written once, in PostgreSQL's form (`$1` placeholders, `ON CONFLICT … DO UPDATE SET
 * col = excluded.col`, which SQLite understands too); `text()` turns it into SQLite's.
 */
@Injectable()
export class Dialect {
  readonly kind: DatabaseKind;
  readonly postgres: boolean;
  /** Locks the rows of one table of a join (`alias`) for the transaction's update. SQLite: nothing (its transactions run one at a time). */
  forUpdateOf(alias: string): string {
    return this.postgres ? ` FOR UPDATE OF ${alias}` : '';
  }
  /** Claims rows no other transaction is claiming right now (the outbox workers). */
  readonly forUpdateSkipLocked: string;
  private readonly rewritten = new Map<string, { text: string; order: number[] }>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.kind = databaseKind(dataSource.options);
    this.postgres = this.kind === 'postgres';
    this.forUpdateSkipLocked = this.postgres ? ' FOR UPDATE SKIP LOCKED' : '';
  }

  /**
   * The statement's text for this database, and for each `?` the index of its parameter:
   * PostgreSQL takes `$n` as written; SQLite gets positional `?` (parameters reordered).
   */
  text(sql: string): { text: string; order: number[] | null } {
    if (this.postgres) return { text: sql, order: null };
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
    return r;
  }

  /** The parameters as the driver binds them: better-sqlite3 binds no booleans (0/1 instead). */
  bind(params: readonly unknown[], order: number[] | null): unknown[] {
    if (order === null) return params as unknown[];
    return order.map((i) => (typeof params[i] === 'boolean' ? (params[i] ? 1 : 0) : params[i]));
  }

  /** `INSERT … ON CONFLICT (keys) DO UPDATE SET` every other column: the same text on both databases. */
  upsert(table: string, columns: readonly string[], keys: readonly string[]): string {
    const values = columns.map((_, i) => `$${i + 1}`).join(', ');
    const set = columns
      .filter((c) => !keys.includes(c))
      .map((c) => `${c} = excluded.${c}`)
      .join(', ');
    return `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${values}) ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${set}`;
  }

  /** A unique or primary key of `table` was taken (by a concurrent writer, usually). */
  isUniqueViolation(e: unknown, table: string): boolean {
    if (!(e instanceof QueryFailedError)) return false;
    const d = e.driverError as { code?: string; table?: string };
    if (this.postgres) return d?.code === '23505' && d.table === table;
    return /^SQLITE_CONSTRAINT_(PRIMARYKEY|UNIQUE)$/.test(String(d?.code)) && new RegExp(`\\b${table}\\.`).test(e.message);
  }

  // --- the two places that reach under TypeORM -------------------------------------------
  // TypeORM's query runner costs more per statement than SQLite itself on the request path and
  // keeps no prepared statement per SQL text, so Sql talks to the drivers directly. There is no
  // public accessor for them beyond the drivers' own (documented, untyped) properties: they are
  // read here only, and test/repositories/sql.int-spec.ts checks they are what Sql expects.

  /** better-sqlite3's one connection of the data source (`BetterSqlite3Driver.databaseConnection`). */
  sqliteConnection(): SqliteDb {
    const db = (this.dataSource.driver as unknown as { databaseConnection?: SqliteDb }).databaseConnection;
    if (!db || typeof db.prepare !== 'function') throw new Error('the SQLite driver exposes no better-sqlite3 connection');
    return db;
  }

  /**
   * PostgreSQL: a connection of its own (outside the pool, with the pool's settings) that
   * LISTENs on `channel`. `onNotify` runs for each notification; `onLost` once when the
   * connection fails or ends. Resolves once LISTEN is in effect.
   */
  async pgListen(channel: string, onNotify: () => void, onLost: (e?: Error) => void): Promise<{ close(): Promise<void> }> {
    const pool = (this.dataSource.driver as unknown as { master?: PgPool }).master;
    if (!pool?.Client) throw new Error('the PostgreSQL driver exposes no pg pool');
    // keepAlive: a connection dropped without a FIN or RST (NAT, failover) is noticed
    const client = new pool.Client({
      ...pool.options,
      keepAlive: true,
      application_name: `${pool.options.application_name ?? 'pg'} (listen)`,
    });
    let lost = false;
    // onLost only once this has returned: a loss while connecting rejects instead
    let ready = false;
    const lose = (e?: Error) => {
      if (lost) return;
      lost = true;
      if (ready) onLost(e);
    };
    client.on('error', lose);
    client.on('end', () => lose());
    client.on('notification', (n) => {
      if (n.channel === channel) onNotify();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
      if (lost) throw new Error('the connection was lost while it was set up');
    } catch (e) {
      lost = true;
      await client.end().catch(() => undefined);
      throw e;
    }
    ready = true;
    return {
      close: async () => {
        lost = true;
        await client.end().catch(() => undefined);
      },
    };
  }

  /**
   * The pg client to run on: the transaction's (`QueryRunner.connect()`, public, returns the
   * runner's connection) or else the pool (`PostgresDriver.master`).
   */
  async pgClient(em: EntityManager | null): Promise<PgQueryable> {
    if (em?.queryRunner) return (await em.queryRunner.connect()) as PgQueryable;
    const pool = (this.dataSource.driver as unknown as { master?: PgQueryable }).master;
    if (!pool || typeof pool.query !== 'function') throw new Error('the PostgreSQL driver exposes no pg pool');
    return pool;
  }
}
