import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { OrganizationEntity } from '../database/entities/organization.entity.js';

@Injectable()
export class OrganizationsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async exists(id: string, em: EntityManager = this.dataSource.manager): Promise<boolean> {
    return (await em.countBy(OrganizationEntity, { id })) > 0;
  }

  async nameTaken(em: EntityManager, name: string): Promise<boolean> {
    return (await em.countBy(OrganizationEntity, { name })) > 0;
  }

  async insert(em: EntityManager, org: OrganizationEntity): Promise<void> {
    await em.insert(OrganizationEntity, org);
  }

  count(): Promise<number> {
    return this.dataSource.manager.count(OrganizationEntity);
  }
}
