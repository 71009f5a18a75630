import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { OrganizationsModule } from '../organizations/organizations.module.js';
import { UsersModule } from '../users/users.module.js';
import { BootstrapService } from './bootstrap.service.js';

/**
 * The first start on an empty database: the default organisation, the admin and its PAT. Above
 * the modules it writes through, so that none of them imports another to make the first admin.
 */
@Module({
  imports: [AuthModule, UsersModule, OrganizationsModule],
  providers: [BootstrapService],
})
export class BootstrapModule {}
