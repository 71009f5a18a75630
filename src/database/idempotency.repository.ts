import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { IdempotencyKeyEntity } from './entities/idempotency-key.entity.js';
import { EntityMapper } from './entity-mapper.js';
import { Sql } from './sql.js';

export const IDEMPOTENCY_WINDOW_MS = 24 * 3600_000;

/** SHA-256 of an input with its keys sorted, minus the idempotency key itself. */
export function requestHash(operation: string, input: object): string {
  const canonical = (v: unknown): unknown => {
    if (v instanceof Date) return v.toISOString();
    if (Array.isArray(v)) return v.map(canonical);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .filter((k) => k !== 'idempotencyKey' && (v as Record<string, unknown>)[k] !== undefined)
          .sort()
          .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return createHash('sha256')
    .update(JSON.stringify([operation, canonical(input)]))
    .digest('hex');
}

/** Completed requests made with an Idempotency-Key, and the answers to replay. */
@Injectable()
export class IdempotencyRepository {
  private readonly keys: EntityMapper<IdempotencyKeyEntity>;
  private readonly select: string;

  constructor(private readonly sql: Sql) {
    this.keys = sql.mapper(IdempotencyKeyEntity);
    this.select = `SELECT ${this.keys.columns} FROM idempotency_keys WHERE caller_id = $1 AND key = $2`;
  }

  async find(callerId: string, key: string, em: EntityManager | null = null): Promise<IdempotencyKeyEntity | null> {
    const r = await this.sql.one(em, this.select, [callerId, key]);
    return r ? this.keys.fromRow(r) : null;
  }

  /** Remembers an answer, replacing an expired one under the same key. */
  async save(em: EntityManager, row: IdempotencyKeyEntity): Promise<void> {
    await this.sql.run(em, 'DELETE FROM idempotency_keys WHERE caller_id = $1 AND key = $2', [row.callerId, row.key]);
    await this.sql.run(em, this.keys.insert, this.keys.values(row));
  }

  /** A concurrent request with the same key committed first. */
  isDuplicate(e: unknown): boolean {
    return this.sql.dialect.isUniqueViolation(e, 'idempotency_keys');
  }
}
