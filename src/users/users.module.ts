import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { EmailModule } from '../email/email.module.js';
import { OrganizationsModule } from '../organizations/organizations.module.js';
import { OutboxModule } from '../outbox/outbox.module.js';
import { PipelineModule } from '../pipeline/pipeline.module.js';
import { UserStoreModule } from './user-store.module.js';
import { UsersController } from './users.controller.js';
import { UsersResolver } from './users.resolver.js';
import { UserUpdateService } from './user-update.service.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [UserStoreModule, AuthModule, EmailModule, OrganizationsModule, OutboxModule, PipelineModule],
  controllers: [UsersController],
  providers: [UsersService, UserUpdateService, UsersResolver],
  exports: [UsersService, UserUpdateService],
})
export class UsersModule {}
