import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ActionTargetEntity } from '../database/entities/action-target.entity.js';
import { ActionExecutionEntity } from '../database/entities/action-execution.entity.js';
import { EntityMapper } from '../database/entity-mapper.js';
import { Sql } from '../database/sql.js';

/** Targets, executions and their version row (through Sql, columns and rows from the entities). */
@Injectable()
export class ActionsRepository {
  private readonly targets: EntityMapper<ActionTargetEntity>;
  private readonly executions: EntityMapper<ActionExecutionEntity>;

  constructor(private readonly sql: Sql) {
    this.targets = sql.mapper(ActionTargetEntity);
    this.executions = sql.mapper(ActionExecutionEntity);
  }

  /** The version of targets and executions; read in every transaction that appends events. */
  async version(em: EntityManager | null): Promise<string> {
    const r = await this.sql.one(em, 'SELECT version FROM action_state WHERE id = 1');
    return String(r?.version ?? '0');
  }

  /** Every change to targets or executions moves the version, in its own transaction. */
  async bump(em: EntityManager): Promise<void> {
    await this.sql.run(em, 'UPDATE action_state SET version = version + 1 WHERE id = 1');
  }

  /** PostgreSQL: tells every listening process, when the transaction commits, that the routing changed. */
  async announce(em: EntityManager, channel: string): Promise<void> {
    await this.sql.run(em, "SELECT pg_notify($1, '')", [channel]);
  }

  async insertTarget(em: EntityManager, t: ActionTargetEntity): Promise<void> {
    await this.sql.run(em, this.targets.insert, this.targets.values(t));
  }

  async updateTarget(em: EntityManager, t: ActionTargetEntity): Promise<void> {
    const x = this.targets;
    const set = (['name', 'targetType', 'interruptOnError', 'endpoint', 'timeoutMs', 'signingKey', 'changedAt'] as const).map((p) => [
      x.column(p),
      x.encode(p, t[p]),
    ]);
    await this.sql.run(
      em,
      `UPDATE action_targets SET ${set.map(([c], i) => `${String(c)} = $${i + 1}`).join(', ')} WHERE id = $${set.length + 1}`,
      [...set.map(([, v]) => v), t.id],
    );
  }

  async deleteTarget(em: EntityManager, id: string): Promise<boolean> {
    return (await this.sql.run(em, 'DELETE FROM action_targets WHERE id = $1', [id])).affected === 1;
  }

  async findTarget(em: EntityManager | null, id: string): Promise<ActionTargetEntity | null> {
    const r = await this.sql.one(em, `SELECT ${this.targets.columns} FROM action_targets WHERE id = $1`, [id]);
    return r ? this.targets.fromRow(r) : null;
  }

  async nameTaken(em: EntityManager, name: string, exceptId = ''): Promise<boolean> {
    return (await this.sql.one(em, 'SELECT 1 AS x FROM action_targets WHERE name = $1 AND id <> $2', [name, exceptId])) !== null;
  }

  async listTargets(em: EntityManager | null): Promise<ActionTargetEntity[]> {
    return (await this.sql.rows(em, `SELECT ${this.targets.columns} FROM action_targets ORDER BY created_at, id`)).map((r) =>
      this.targets.fromRow(r),
    );
  }

  async listExecutions(em: EntityManager | null): Promise<ActionExecutionEntity[]> {
    return (await this.sql.rows(em, `SELECT ${this.executions.columns} FROM action_executions ORDER BY created_at, id`)).map((r) =>
      this.executions.fromRow(r),
    );
  }

  async findExecution(em: EntityManager, id: string): Promise<ActionExecutionEntity | null> {
    const r = await this.sql.one(em, `SELECT ${this.executions.columns} FROM action_executions WHERE id = $1`, [id]);
    return r ? this.executions.fromRow(r) : null;
  }

  async upsertExecution(em: EntityManager, e: ActionExecutionEntity, exists: boolean): Promise<void> {
    if (exists) {
      await this.sql.run(em, 'UPDATE action_executions SET targets = $1, changed_at = $2 WHERE id = $3', [
        e.targets,
        this.executions.encode('changedAt', e.changedAt),
        e.id,
      ]);
    } else {
      await this.sql.run(em, this.executions.insert, this.executions.values(e));
    }
  }

  async deleteExecution(em: EntityManager, id: string): Promise<void> {
    await this.sql.run(em, 'DELETE FROM action_executions WHERE id = $1', [id]);
  }
}
