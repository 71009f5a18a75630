import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { invalidArgument } from '../common/errors/app-error.js';
import { SecretBox } from '../common/secret-box.js';
import { IDEMPOTENCY_WINDOW_MS, IdempotencyRepository, requestHash } from './idempotency.repository.js';

/** A request carrying an Idempotency-Key: who sent it, the key, the operation and its input. */
export interface IdempotentRequest {
  callerId: string;
  key: string;
  operation: string;
  /** The validated input (its idempotencyKey field is left out of the hash). */
  input: object;
}

/**
 * Idempotency-Key beside the unit of work (spec §5): inside a change's transaction, the answer
 * remembered for a retry of the same request, and remembering this one's answer with the change;
 * outside it, the answer of a concurrent request with the same key that committed first.
 * Answers may hold a returned code: they are stored sealed, like the outbox payloads.
 */
@Injectable()
export class Idempotency {
  constructor(
    private readonly store: IdempotencyRepository,
    private readonly box: SecretBox,
  ) {}

  /** The first answer to this request, when it was made within the window; 400 EMAIL-1dem9 for the key used on another request. */
  async prior<T>(em: EntityManager, req: IdempotentRequest, now: Date): Promise<T | undefined> {
    const prior = await this.store.find(req.callerId, req.key, em);
    if (!prior || now.getTime() - prior.createdAt.getTime() >= IDEMPOTENCY_WINDOW_MS) return undefined;
    return this.replay<T>(prior, req);
  }

  /** Remembers the answer inside the change's transaction: it commits with the change or not at all. */
  async remember(em: EntityManager, req: IdempotentRequest, result: unknown, now: Date): Promise<void> {
    await this.store.save(em, {
      callerId: req.callerId,
      key: req.key,
      operation: req.operation,
      requestHash: requestHash(req.operation, req.input),
      response: this.box.encrypt(JSON.stringify(result)),
      createdAt: now,
    });
  }

  /** After a failed unit of work: the answer of the request with the same key that raced this one and committed first. */
  async raced<T>(error: unknown, req: IdempotentRequest): Promise<T | undefined> {
    if (!this.store.isDuplicate(error)) return undefined;
    const prior = await this.store.find(req.callerId, req.key);
    return prior ? this.replay<T>(prior, req) : undefined;
  }

  private replay<T>(prior: { operation: string; requestHash: string; response: string }, req: IdempotentRequest): T {
    if (prior.operation !== req.operation || prior.requestHash !== requestHash(req.operation, req.input)) {
      throw invalidArgument('EMAIL-1dem9', 'Idempotency-Key was already used for a different request; use a new key');
    }
    return JSON.parse(this.box.decrypt(prior.response), (k, v: unknown) =>
      k === 'changeDate' && typeof v === 'string' ? new Date(v) : v,
    ) as T;
  }
}
