import { Injectable } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { Dialect } from './dialect.js';

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
 * transactions are queued here, and so are the statements run outside any (`outside`): an async
 * step inside a unit of work must never let another request's statements join it. On
 * optimistic-concurrency conflicts the whole unit is retried.
 */
@Injectable()
export class UnitOfWork {
  private readonly serial: boolean;
  private tail: Promise<unknown> = Promise.resolve();
  /** Units of work and outside statements queued or running on SQLite's connection. */
  private queued = 0;
  /** Set inside a SQLite unit of work, to catch a statement that forgot its EntityManager. */
  private readonly inside = new AsyncLocalStorage<true>();
  /** Callbacks to run once the transaction of an entity manager has committed. */
  private readonly committed = new WeakMap<EntityManager, (() => void)[]>();
  /** What restores objects in memory when the transaction of an entity manager rolls back. */
  private readonly undos = new WeakMap<EntityManager, (() => void)[]>();
  /** The step to run at the end of a unit of work, before COMMIT (Sql's held writes). */
  private readonly finishing = new WeakMap<EntityManager, (em: EntityManager) => Promise<void>>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly dialect: Dialect,
  ) {
    this.serial = !dialect.postgres;
  }

  /** Runs `fn` after the transaction of `em` commits (never when it rolls back). */
  afterCommit(em: EntityManager, fn: () => void): void {
    const list = this.committed.get(em);
    if (list) list.push(fn);
    else this.committed.set(em, [fn]);
  }

  /**
   * Runs `fn` if the transaction of `em` rolls back (latest first), to put back in memory what
   * the work changed on objects that outlive it: a retry then starts from the same state.
   */
  onRollback(em: EntityManager, fn: () => void): void {
    const list = this.undos.get(em);
    if (list) list.push(fn);
    else this.undos.set(em, [fn]);
  }

  /**
   * Runs `step` once the work of `em`'s unit of work is done, before its COMMIT, inside the
   * transaction (one step per unit of work: setting it again replaces it). Sql sends its held
   * writes there; an error it throws rolls the transaction back like one of the work's own.
   */
  beforeCommit(em: EntityManager, step: (em: EntityManager) => Promise<void>): void {
    this.finishing.set(em, step);
  }

  async run<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let used: EntityManager | null = null;
      try {
        const result = await this.once(async (em) => {
          used = em;
          this.committed.delete(em);
          const out = await work(em);
          const finish = this.finishing.get(em);
          if (finish) {
            this.finishing.delete(em);
            await finish(em);
          }
          return out;
        });
        const after = used ? this.committed.get(used) : undefined;
        if (after) {
          this.committed.delete(used!);
          for (const fn of after) fn();
        }
        if (used) this.undos.delete(used);
        return result;
      } catch (e) {
        const undo = used ? this.undos.get(used) : undefined;
        if (undo) {
          this.undos.delete(used!);
          for (const fn of undo.reverse()) fn();
        }
        if (!isConflict(e, this.dialect)) throw e;
        // a taken event key is the same lost race as the sequence check (PostgreSQL sends a
        // change's writes in one statement, where the event insert may be what fails first)
        if (attempt >= MAX_ATTEMPTS) throw this.dialect.isUniqueViolation(e, 'user_events') ? new ConcurrentModificationError() : e;
        await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
      }
    }
  }

  /**
   * A statement outside any unit of work. On SQLite it runs at once when the connection is
   * idle, else after the units of work queued before it; on PostgreSQL the pool gives it a
   * connection of its own.
   */
  outside<T>(statement: () => T): Promise<T> {
    if (this.serial && this.inside.getStore()) {
      // it would wait for the very unit of work that waits for it
      return Promise.reject(new Error('a statement inside a unit of work was run without its EntityManager'));
    }
    if (!this.serial || this.queued === 0) {
      try {
        return Promise.resolve(statement());
      } catch (e) {
        return Promise.reject(e as Error);
      }
    }
    return this.enqueue(async () => statement());
  }

  private once<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    if (!this.serial) return this.dataSource.transaction(work);
    return this.enqueue(() => this.sqliteTransaction(work));
  }

  private enqueue<T>(step: () => Promise<T>): Promise<T> {
    this.queued++;
    const result = this.tail.then(step).finally(() => this.queued--);
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
      const result = await this.inside.run(true, () => work(runner.manager));
      await runner.query('COMMIT');
      return result;
    } catch (e) {
      await runner.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }
}

/** A lost race: our conditional update matched no row, or a unique key was taken meanwhile. */
function isConflict(e: unknown, dialect: Dialect): boolean {
  if (e instanceof ConcurrentModificationError) return true;
  if (!(e instanceof QueryFailedError)) return false;
  const code = (e.driverError as { code?: string })?.code;
  // PostgreSQL serialization failure / deadlock
  if (code === '40001' || code === '40P01') return true;
  // SQLite: another process held the write lock past busy_timeout
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT' || code === 'SQLITE_LOCKED') return true;
  // the event primary key (user, sequence) taken
  return dialect.isUniqueViolation(e, 'user_events');
}
