import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { OrganizationEntity } from '../database/entities/organization.entity.js';
import { EntityMapper } from '../database/entity-mapper.js';
import { Sql } from '../database/sql.js';

@Injectable()
export class OrganizationsRepository {
  private readonly orgs: EntityMapper<OrganizationEntity>;

  constructor(private readonly sql: Sql) {
    this.orgs = sql.mapper(OrganizationEntity);
  }

  async exists(id: string, em: EntityManager | null = null): Promise<boolean> {
    return (await this.sql.one(em, 'SELECT 1 AS x FROM organizations WHERE id = $1', [id])) !== null;
  }

  async nameTaken(em: EntityManager, name: string): Promise<boolean> {
    return (await this.sql.one(em, 'SELECT 1 AS x FROM organizations WHERE name = $1', [name])) !== null;
  }

  async insert(em: EntityManager, org: OrganizationEntity): Promise<void> {
    await this.sql.run(em, this.orgs.insert, this.orgs.values(org));
  }

  /** Whether any organisation exists (the first start creates the default one). */
  async any(em: EntityManager | null = null): Promise<boolean> {
    return (await this.sql.one(em, 'SELECT 1 AS x FROM organizations LIMIT 1')) !== null;
  }
}
