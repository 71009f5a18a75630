import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { EntityManager, QueryFailedError } from 'typeorm';
import { IdempotencyKeyEntity } from './entities/idempotency-key.entity.js';
import { dateOf, Sql } from './sql.js';

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

@Injectable()
export class IdempotencyStore {
  constructor(private readonly sql: Sql) {}

  async find(callerId: string, key: string, em: EntityManager | null = null): Promise<IdempotencyKeyEntity | null> {
    const r = await this.sql.one(
      em,
      'SELECT caller_id, key, operation, request_hash, response, created_at FROM idempotency_keys WHERE caller_id = $1 AND key = $2',
      [callerId, key],
    );
    if (!r) return null;
    return {
      callerId: String(r.caller_id),
      key: String(r.key),
      operation: String(r.operation),
      requestHash: String(r.request_hash),
      response: String(r.response),
      createdAt: dateOf(r.created_at),
    };
  }

  /** Remembers an answer, replacing an expired one under the same key. */
  async save(em: EntityManager, row: IdempotencyKeyEntity): Promise<void> {
    await this.sql.run(em, 'DELETE FROM idempotency_keys WHERE caller_id = $1 AND key = $2', [row.callerId, row.key]);
    await this.sql.run(
      em,
      'INSERT INTO idempotency_keys (caller_id, key, operation, request_hash, response, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [row.callerId, row.key, row.operation, row.requestHash, row.response, row.createdAt.getTime()],
    );
  }

  /** A concurrent request with the same key committed first. */
  static isDuplicate(e: unknown): boolean {
    if (!(e instanceof QueryFailedError)) return false;
    const d = e.driverError as { code?: string; table?: string };
    return (
      (d?.code === '23505' && d.table === 'idempotency_keys') ||
      (String(d?.code).startsWith('SQLITE_CONSTRAINT') && /idempotency_keys/.test(e.message))
    );
  }
}
