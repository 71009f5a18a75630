import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { PipelineModule } from '../pipeline/pipeline.module.js';
import { UsersModule } from '../users/users.module.js';
import { OrganizationsController } from './organizations.controller.js';
import { OrganizationsRepository } from './organizations.repository.js';
import { OrganizationsResolver } from './organizations.resolver.js';
import { OrganizationsService } from './organizations.service.js';

@Module({
  imports: [UsersModule, AuthModule, PipelineModule],
  controllers: [OrganizationsController],
  providers: [OrganizationsService, OrganizationsRepository, OrganizationsResolver],
  exports: [OrganizationsService],
})
export class OrganizationsModule {}
