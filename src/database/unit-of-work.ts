import { Injectable, Logger, Optional } from '@nestjs/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { MetricsService } from '../observability/metrics.service.js';
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
 * SQLite group commit: how many units of work at most share one transaction, and how long at
 * most it stays open (a unit's answer waits for the COMMIT).
 */
const GROUP_MAX_UNITS = 32;
const GROUP_MAX_MS = 20;

/** The SQLite transaction that units of work queued back to back share (group commit). */
interface Group {
  /** Whose connection the transaction is on. */
  readonly owner: UnitOfWork;
  readonly startedAt: number;
  units: number;
  /** A COMMIT is scheduled for after the event loop's current turn. */
  scheduled: boolean;
  /** The units whose work is done (released savepoints), waiting for the COMMIT. */
  readonly waiting: { resolve(): void; reject(e: unknown): void }[];
}

/**
 * The queue of one SQLite database file in this process: its units of work and outside
 * statements, one at a time, and the open group. Shared by every UnitOfWork of the process on
 * that file (two app instances in one test process): better-sqlite3 waits for a lock by
 * blocking the thread, so a connection beginning a transaction while another connection of the
 * same process holds one would wait out busy_timeout for a COMMIT that cannot run meanwhile.
 * On one queue, a step on another connection commits the open group first.
 */
interface Lane {
  tail: Promise<unknown>;
  /** Steps queued or running. */
  queued: number;
  group: Group | null;
}
const lanes = new Map<string, Lane>();

/**
 * Runs a unit of work in one transaction. On SQLite the single connection is shared, so
 * transactions are queued here, and so are the statements run outside any (`outside`): an async
 * step inside a unit of work must never let another request's statements join it. On
 * optimistic-concurrency conflicts the whole unit is retried.
 *
 * SQLite group commit: units of work queued back to back share one transaction, each in a
 * savepoint of its own (a unit that fails rolls back to it, the others keep their work), and the
 * transaction commits once the queue is empty at the end of an event-loop turn (the requests
 * that turn read have queued their units by then), or after GROUP_MAX_UNITS units or GROUP_MAX_MS.
 * A unit's `run` resolves only after that COMMIT, so what a caller is told is durable exactly as
 * before; a COMMIT that fails rejects every unit of the group (each undoes its in-memory changes,
 * and a lost race is retried). Under load the pages every change touches (the ends of the event
 * log and of its indexes, the outbox, ...) are written to the WAL once per group instead of once
 * per change: that write, one system call per page, was most of a change's cost. A statement
 * run outside a unit while a group is open (the next request's token lookup) runs in that
 * transaction after the units before it, so it may see their work before it is durable: work
 * whose answers are still held, and that only a failed COMMIT (an I/O error) would undo, which
 * is less than what synchronous=NORMAL already gives up at a power loss.
 */
@Injectable()
export class UnitOfWork {
  private readonly logger = new Logger('UnitOfWork');
  private readonly serial: boolean;
  /** SQLite: this database file's queue (see Lane), taken at the first use. */
  private lane: Lane | null = null;
  /** BEGIN, COMMIT, ROLLBACK and the savepoint statements, prepared once. */
  private readonly control = new Map<string, { run(): unknown }>();
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
    @Optional() private readonly metrics?: MetricsService,
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
    if (!this.serial) return run(statement);
    const lane = this.sqliteLane();
    if (lane.queued === 0 && !lane.group) return run(statement);
    return this.enqueue(async () => {
      // on another connection of this process, a group open on this one would block it
      if (lane.group && lane.group.owner !== this) this.commit(lane.group);
      try {
        return statement();
      } finally {
        this.dropLostGroup(lane);
      }
    });
  }

  private async once<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    if (!this.serial) return this.dataSource.transaction(work);
    const { result, committed } = await this.enqueue(() => this.sqliteUnit(work));
    await committed;
    return result;
  }

  private sqliteLane(): Lane {
    if (this.lane) return this.lane;
    const file = (this.dialect.sqliteConnection() as { name?: string }).name ?? '';
    const shared = file !== '' && file !== ':memory:';
    let lane = shared ? lanes.get(file) : undefined;
    if (!lane) {
      lane = { tail: Promise.resolve(), queued: 0, group: null };
      if (shared) lanes.set(file, lane);
    }
    return (this.lane = lane);
  }

  /** Queues `step` on SQLite's connection; after it, the group's transaction commits if it is due. */
  private enqueue<T>(step: () => Promise<T>): Promise<T> {
    const lane = this.sqliteLane();
    lane.queued++;
    const result = lane.tail.then(step).finally(() => lane.queued--);
    lane.tail = result.catch(() => undefined).then(() => this.commitIfDue(lane));
    return result;
  }

  /**
   * After each step on the connection: a full or old group commits now (a unit queued behind
   * starts the next); a group with units queued behind stays open for them; a group with nothing
   * queued commits after the event loop's current turn, so the requests whose bytes that turn
   * reads (their units are queued by then) join it.
   */
  private commitIfDue(lane: Lane): void {
    const group = lane.group;
    if (!group) return;
    if (group.units >= GROUP_MAX_UNITS || Date.now() - group.startedAt >= GROUP_MAX_MS) return this.commit(group);
    if (lane.queued > 0 || group.scheduled) return;
    group.scheduled = true;
    setImmediate(() => {
      group.scheduled = false;
      // a step on the queue now commits it, or schedules this again, when it is done
      if (lane.group === group && lane.queued === 0) this.commit(group);
    });
  }

  /** Commits `group` on its owner's connection; its units' `run`s resolve. */
  private commit(group: Group): void {
    const owner = group.owner;
    const lane = owner.sqliteLane();
    if (lane.group === group) lane.group = null;
    try {
      owner.exec('COMMIT');
    } catch (e) {
      owner.abandon(group, e);
      return;
    }
    owner.metrics?.sqliteGroupCommits.observe(group.waiting.length);
    for (const w of group.waiting) w.resolve();
  }

  /** The group's transaction is lost (a failed COMMIT, or SQLite rolled it back): its units fail. */
  private abandon(group: Group, e: unknown): void {
    const lane = this.sqliteLane();
    if (lane.group === group) lane.group = null;
    try {
      if (this.dialect.sqliteConnection().inTransaction) this.exec('ROLLBACK');
    } catch (rollback) {
      this.logger.error(`ROLLBACK of a failed group of units of work failed: ${(rollback as Error).message}`);
    }
    for (const w of group.waiting) w.reject(e);
  }

  /** A control statement (BEGIN, COMMIT, ...); its failure as TypeORM's, so that a busy database is a retried conflict. */
  private exec(sql: string): void {
    let stmt = this.control.get(sql);
    try {
      if (!stmt) {
        stmt = this.dialect.sqliteConnection().prepare(sql);
        this.control.set(sql, stmt);
      }
      stmt.run();
    } catch (e) {
      throw new QueryFailedError(sql, [], e as Error);
    }
  }

  /**
   * After an error SQLite may have rolled back the whole transaction (an I/O error, a full disk):
   * then the open group is lost, and its units fail, before anything else runs without a
   * transaction (a SAVEPOINT would open one of its own, which its RELEASE would commit).
   */
  private dropLostGroup(lane: Lane): void {
    const group = lane.group;
    if (group && !group.owner.dialect.sqliteConnection().inTransaction) {
      group.owner.abandon(group, new Error('SQLite rolled back the transaction of this group of units of work'));
    }
  }

  /**
   * One unit of work in the group's transaction (opened here when there is none), in a savepoint
   * of its own. Resolves when the work is done, with the promise of the group's COMMIT.
   * BEGIN IMMEDIATE takes SQLite's write lock up front (waiting out busy_timeout), so another
   * process on the same file (a second instance, the standalone worker) makes us wait rather
   * than fail when a transaction that has read turns to write.
   */
  private async sqliteUnit<T>(work: (em: EntityManager) => Promise<T>): Promise<{ result: T; committed: Promise<void> }> {
    const runner = this.dataSource.createQueryRunner(); // the one shared connection
    const lane = this.sqliteLane();
    // a group on another connection of this process (it is between its steps: this one runs)
    if (lane.group && lane.group.owner !== this) this.commit(lane.group);
    this.dropLostGroup(lane);
    if (!lane.group) {
      // a transaction left open without a group (a ROLLBACK that failed) would make every BEGIN fail
      if (this.dialect.sqliteConnection().inTransaction) {
        this.logger.error('a transaction was open outside any group of units of work: rolled back');
        this.exec('ROLLBACK');
      }
      this.exec('BEGIN IMMEDIATE');
      lane.group = { owner: this, startedAt: Date.now(), units: 0, scheduled: false, waiting: [] };
    }
    const group = lane.group;
    group.units++;
    this.exec('SAVEPOINT unit');
    try {
      const result = await this.inside.run(true, () => work(runner.manager));
      this.exec('RELEASE unit');
      const committed = new Promise<void>((resolve, reject) => group.waiting.push({ resolve, reject }));
      // awaited by once() right away; this only keeps a rejection from counting as unhandled meanwhile
      committed.catch(() => undefined);
      return { result, committed };
    } catch (e) {
      try {
        if (!this.dialect.sqliteConnection().inTransaction) throw e;
        this.exec('ROLLBACK TO unit');
        this.exec('RELEASE unit');
      } catch (lost) {
        // SQLite rolled back the whole transaction (an I/O error, a full disk): the group is lost
        this.abandon(group, lost);
      }
      throw e;
    }
  }
}

function run<T>(statement: () => T): Promise<T> {
  try {
    return Promise.resolve(statement());
  } catch (e) {
    return Promise.reject(e as Error);
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
