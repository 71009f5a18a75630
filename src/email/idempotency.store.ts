import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { IdempotencyKeyEntity } from '../database/entities/idempotency-key.entity.js';

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
  return createHash('sha256').update(JSON.stringify([operation, canonical(input)])).digest('hex');
}

@Injectable()
export class IdempotencyStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  find(callerId: string, key: string, em: EntityManager = this.dataSource.manager): Promise<IdempotencyKeyEntity | null> {
    return em.findOneBy(IdempotencyKeyEntity, { callerId, key });
  }

  async save(em: EntityManager, row: IdempotencyKeyEntity): Promise<void> {
    await em.delete(IdempotencyKeyEntity, { callerId: row.callerId, key: row.key });
    await em.insert(IdempotencyKeyEntity, row);
  }

  /** A concurrent request with the same key committed first. */
  static isDuplicate(e: unknown): boolean {
    if (!(e instanceof QueryFailedError)) return false;
    const d = e.driverError as { code?: string; table?: string };
    return (d?.code === '23505' && d.table === 'idempotency_keys') || (String(d?.code).startsWith('SQLITE_CONSTRAINT') && /idempotency_keys/.test(e.message));
  }
}
