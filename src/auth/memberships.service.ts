import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuthRepository } from './auth.repository.js';

/** Who holds which roles where: the write side of the memberships the callers' rights come from. */
@Injectable()
export class MembershipsService {
  constructor(private readonly repo: AuthRepository) {}

  /** Grants roles in a scope (an organisation or the instance) inside the caller's transaction, replacing the user's roles there. */
  async grant(em: EntityManager, userId: string, scope: string, roles: readonly string[], at: Date): Promise<void> {
    await this.repo.upsertMembership(em, { userId, scope, roles: [...new Set(roles)], createdAt: at });
  }
}
