import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { EmailModule } from '../email/email.module.js';
import { OrganizationsModule } from '../organizations/organizations.module.js';
import { OutboxModule } from '../outbox/outbox.module.js';
import { PipelineModule } from '../pipeline/pipeline.module.js';
import { UsersModule } from '../users/users.module.js';
import { UsersController } from './users.controller.js';
import { UsersResolver } from './users.resolver.js';
import { UserUpdateService } from './user-update.service.js';
import { UsersService } from './users.service.js';

/**
 * ZITADEL's User Service v2 above the user aggregate and its email: the use cases on an account
 * (AddHumanUser and UpdateUser, which take an email change along; GetUserByID; PATs) and the
 * REST routes and GraphQL fields of every User Service operation, the email ones (EmailService's)
 * included, in one controller: the OpenAPI document is the scan of this module.
 */
@Module({
  imports: [UsersModule, EmailModule, OrganizationsModule, AuthModule, OutboxModule, PipelineModule],
  controllers: [UsersController],
  providers: [UsersService, UserUpdateService, UsersResolver],
})
export class AccountsModule {}
