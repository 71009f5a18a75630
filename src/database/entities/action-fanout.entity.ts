import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { epochMs } from '../columns.js';

/**
 * The action calls of one change, as the change's transaction enqueues them (spec §9): one row
 * however many events and targets, with nothing but its key to index. The delivery worker fans
 * each row out into its calls (action_calls, one per event and target, where each gets its
 * delivery ID) and deletes it, in one transaction, in the order the rows were written.
 *
 * The key is the database's own counter, whose type differs: SQLite's rowid (an INTEGER PRIMARY
 * KEY is the table's B-tree key, so a row is one B-tree insert; rowids are 64-bit and a new one
 * is above every row present) and a bigint identity on PostgreSQL (a 32-bit `serial` could run
 * out). TypeORM has no column type for both, so each database has its entity class (see
 * ActionFanoutEntities); the columns are this class's.
 */
export abstract class ActionFanoutEntity {
  /** The queue's order: a row written later has a larger ID than every row present (PostgreSQL returns it as text). */
  id!: number;

  @Column({ name: 'aggregate_id', type: 'varchar', length: 200 })
  aggregateId!: string;

  /** `[[eventSequence, eventType, [targetId, …], [ordered, …]], …]`: each event of the change, the targets it calls in order, and whether each gets its calls one at a time (ActionQueue's Plan). */
  @Column({ type: 'text' })
  calls!: string;

  /** How many calls the row stands for (the queue-depth metric counts them as pending). */
  @Column({ name: 'call_count', type: 'integer' })
  callCount!: number;

  /** The events' time: their calls are due from it. */
  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: Date;
}

@Entity('action_fanout')
export class SqliteActionFanoutEntity extends ActionFanoutEntity {
  @PrimaryColumn({ type: 'integer' })
  declare id: number;
}

@Entity('action_fanout')
export class PostgresActionFanoutEntity extends ActionFanoutEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  declare id: number;
}

/** The entity of the table on each database. */
export const ActionFanoutEntities = { sqlite: SqliteActionFanoutEntity, postgres: PostgresActionFanoutEntity } as const;
