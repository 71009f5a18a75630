import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { ActionTargetEntity, ActionTargetType } from '../database/entities/action-target.entity.js';
import type { ActionExecutionEntity } from '../database/entities/action-execution.entity.js';
import { bool, dateOf, num, Sql } from '../database/sql.js';

const TARGET_COLUMNS = 'id, name, target_type, interrupt_on_error, endpoint, timeout_ms, signing_key, created_at, changed_at';

function targetFromRow(r: Record<string, unknown>): ActionTargetEntity {
  return {
    id: String(r.id),
    name: String(r.name),
    targetType: String(r.target_type) as ActionTargetType,
    interruptOnError: bool(r.interrupt_on_error),
    endpoint: String(r.endpoint),
    timeoutMs: num(r.timeout_ms),
    signingKey: String(r.signing_key),
    createdAt: dateOf(r.created_at),
    changedAt: dateOf(r.changed_at),
  };
}

function executionFromRow(r: Record<string, unknown>): ActionExecutionEntity {
  return { id: String(r.id), targets: String(r.targets), createdAt: dateOf(r.created_at), changedAt: dateOf(r.changed_at) };
}

/** Targets, executions and their version row (hand-written SQL, as the other repositories). */
@Injectable()
export class ActionsRepository {
  constructor(private readonly sql: Sql) {}

  /** The version of targets and executions; read in every transaction that appends events. */
  async version(em: EntityManager | null): Promise<string> {
    const r = await this.sql.one(em, 'SELECT version FROM action_state WHERE id = 1');
    return String(r?.version ?? '0');
  }

  /** Every change to targets or executions moves the version, in its own transaction. */
  async bump(em: EntityManager): Promise<void> {
    await this.sql.run(em, 'UPDATE action_state SET version = version + 1 WHERE id = 1');
  }

  async insertTarget(em: EntityManager, t: ActionTargetEntity): Promise<void> {
    await this.sql.run(em, `INSERT INTO action_targets (${TARGET_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, [
      t.id,
      t.name,
      t.targetType,
      t.interruptOnError,
      t.endpoint,
      t.timeoutMs,
      t.signingKey,
      t.createdAt.getTime(),
      t.changedAt.getTime(),
    ]);
  }

  async updateTarget(em: EntityManager, t: ActionTargetEntity): Promise<void> {
    await this.sql.run(
      em,
      'UPDATE action_targets SET name = $1, target_type = $2, interrupt_on_error = $3, endpoint = $4, timeout_ms = $5, signing_key = $6, changed_at = $7 WHERE id = $8',
      [t.name, t.targetType, t.interruptOnError, t.endpoint, t.timeoutMs, t.signingKey, t.changedAt.getTime(), t.id],
    );
  }

  async deleteTarget(em: EntityManager, id: string): Promise<boolean> {
    return (await this.sql.run(em, 'DELETE FROM action_targets WHERE id = $1', [id])).affected === 1;
  }

  async findTarget(em: EntityManager | null, id: string): Promise<ActionTargetEntity | null> {
    const r = await this.sql.one(em, `SELECT ${TARGET_COLUMNS} FROM action_targets WHERE id = $1`, [id]);
    return r ? targetFromRow(r) : null;
  }

  async nameTaken(em: EntityManager, name: string, exceptId = ''): Promise<boolean> {
    return (await this.sql.one(em, 'SELECT 1 AS x FROM action_targets WHERE name = $1 AND id <> $2', [name, exceptId])) !== null;
  }

  async listTargets(em: EntityManager | null): Promise<ActionTargetEntity[]> {
    return (await this.sql.rows(em, `SELECT ${TARGET_COLUMNS} FROM action_targets ORDER BY created_at, id`)).map(targetFromRow);
  }

  async listExecutions(em: EntityManager | null): Promise<ActionExecutionEntity[]> {
    return (await this.sql.rows(em, 'SELECT id, targets, created_at, changed_at FROM action_executions ORDER BY created_at, id')).map(
      executionFromRow,
    );
  }

  async findExecution(em: EntityManager, id: string): Promise<ActionExecutionEntity | null> {
    const r = await this.sql.one(em, 'SELECT id, targets, created_at, changed_at FROM action_executions WHERE id = $1', [id]);
    return r ? executionFromRow(r) : null;
  }

  async upsertExecution(em: EntityManager, e: ActionExecutionEntity, exists: boolean): Promise<void> {
    if (exists) {
      await this.sql.run(em, 'UPDATE action_executions SET targets = $1, changed_at = $2 WHERE id = $3', [
        e.targets,
        e.changedAt.getTime(),
        e.id,
      ]);
    } else {
      await this.sql.run(em, 'INSERT INTO action_executions (id, targets, created_at, changed_at) VALUES ($1, $2, $3, $4)', [
        e.id,
        e.targets,
        e.createdAt.getTime(),
        e.changedAt.getTime(),
      ]);
    }
  }

  async deleteExecution(em: EntityManager, id: string): Promise<void> {
    await this.sql.run(em, 'DELETE FROM action_executions WHERE id = $1', [id]);
  }
}
