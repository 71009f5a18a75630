import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

export interface SqlResult<T> {
  rows: T[];
  /** Rows changed by INSERT/UPDATE/DELETE. */
  affected: number;
}

/**
 * Hand-written SQL for the request path, written once with PostgreSQL's `$1` placeholders and
 * rewritten to SQLite's positional `?` (parameters reordered to match). The SQL text never
 * varies with the values, so better-sqlite3's prepared statements are reused from TypeORM's
 * statement cache; the query builder, by contrast, inlines some values and costs more than
 * the database itself on this path.
 */
@Injectable()
export class Sql {
  readonly postgres: boolean;
  private readonly rewritten = new Map<string, { text: string; order: number[] }>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.postgres = dataSource.options.type === 'postgres';
  }

  /** Runs `sql` inside `em`'s transaction, or on its own when `em` has none. */
  async run<T = Record<string, unknown>>(em: EntityManager | null, sql: string, params: readonly unknown[] = []): Promise<SqlResult<T>> {
    const { text, values } = this.bind(sql, params);
    const runner = em?.queryRunner ?? this.dataSource.createQueryRunner();
    try {
      const result = await runner.query(text, values, true);
      return { rows: (result.records ?? []) as T[], affected: result.affected ?? 0 };
    } finally {
      if (!em?.queryRunner) await runner.release();
    }
  }

  async rows<T = Record<string, unknown>>(em: EntityManager | null, sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.run<T>(em, sql, params)).rows;
  }

  async one<T = Record<string, unknown>>(em: EntityManager | null, sql: string, params: readonly unknown[] = []): Promise<T | null> {
    return (await this.run<T>(em, sql, params)).rows[0] ?? null;
  }

  private bind(sql: string, params: readonly unknown[]): { text: string; values: unknown[] } {
    if (this.postgres) return { text: sql, values: params as unknown[] };
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
    return { text: r.text, values: r.order.map((i) => params[i]) };
  }
}

/** bigint columns come back as strings from pg and numbers from SQLite. */
export const num = (v: unknown): number => Number(v);
export const numOrNull = (v: unknown): number | null => (v == null ? null : Number(v));
export const dateOf = (v: unknown): Date => new Date(Number(v));
export const dateOrNull = (v: unknown): Date | null => (v == null ? null : new Date(Number(v)));
/** booleans are 0/1 in SQLite. */
export const bool = (v: unknown): boolean => v === true || v === 1 || v === '1' || v === 't';
