import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';

/** Thrown inside a transaction when another writer changed the user first. */
export class ConcurrentModificationError extends Error {
  constructor() {
    super('concurrent modification');
    this.name = 'ConcurrentModificationError';
  }
}

const MAX_ATTEMPTS = 8;

/**
 * Runs a unit of work in one transaction. On SQLite the single connection is shared, so
 * transactions are queued here (an async step inside one must never let another request's
 * statements join it). On optimistic-concurrency conflicts the whole unit is retried.
 */
@Injectable()
export class UnitOfWork {
  private readonly serial: boolean;
  private tail: Promise<unknown> = Promise.resolve();
  /** Callbacks to run once the transaction of an entity manager has committed. */
  private readonly committed = new WeakMap<EntityManager, (() => void)[]>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.serial = dataSource.options.type !== 'postgres';
  }

  get isPostgres(): boolean {
    return !this.serial;
  }

  /** Runs `fn` after the transaction of `em` commits (never when it rolls back). */
  afterCommit(em: EntityManager, fn: () => void): void {
    const list = this.committed.get(em);
    if (list) list.push(fn);
    else this.committed.set(em, [fn]);
  }

  async run<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        let used: EntityManager | null = null;
        const result = await this.once((em) => {
          used = em;
          this.committed.delete(em);
          return work(em);
        });
        const after = used ? this.committed.get(used) : undefined;
        if (after) {
          this.committed.delete(used!);
          for (const fn of after) fn();
        }
        return result;
      } catch (e) {
        if (attempt >= MAX_ATTEMPTS || !isConflict(e)) throw e;
        await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
      }
    }
  }

  private once<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    if (!this.serial) return this.dataSource.transaction(work);
    const result = this.tail.then(() => this.sqliteTransaction(work));
    this.tail = result.catch(() => undefined);
    return result;
  }

  /**
   * BEGIN IMMEDIATE takes SQLite's write lock up front (waiting out busy_timeout), so another
   * process on the same file (a second instance, the standalone worker) makes us wait rather
   * than fail when a transaction that has read turns to write.
   */
  private async sqliteTransaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner(); // the one shared connection
    await runner.query('BEGIN IMMEDIATE');
    try {
      const result = await work(runner.manager);
      await runner.query('COMMIT');
      return result;
    } catch (e) {
      await runner.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }
}

/** A lost race: our conditional update matched no row, or a unique key was taken meanwhile. */
function isConflict(e: unknown): boolean {
  if (e instanceof ConcurrentModificationError) return true;
  if (e instanceof QueryFailedError) {
    const code = (e.driverError as { code?: string })?.code;
    // PostgreSQL serialization failure / deadlock; the event primary key (user, sequence) taken.
    if (code === '40001' || code === '40P01') return true;
    // SQLite: another process held the write lock past busy_timeout
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT' || code === 'SQLITE_LOCKED') return true;
    if (
      (code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') &&
      /user_events/.test(
        String(e.message) +
          String((e.driverError as { detail?: string })?.detail ?? '') +
          String((e.driverError as { table?: string })?.table ?? ''),
      )
    )
      return true;
  }
  return false;
}
