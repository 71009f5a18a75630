import { Module } from '@nestjs/common';
import { OrganizationsRepository } from '../organizations/organizations.repository.js';
import { UserStoreModule } from '../users/user-store.module.js';
import { AuthRepository } from './auth.repository.js';
import { BootstrapService } from './bootstrap.service.js';
import { JwtVerifier } from './jwt.verifier.js';
import { MembershipsService } from './memberships.service.js';
import { TokenService } from './token.service.js';

@Module({
  imports: [UserStoreModule],
  // the first start's bootstrap writes the default organisation (a stateless repository: no
  // import of OrganizationsModule, which imports this module)
  providers: [AuthRepository, OrganizationsRepository, TokenService, MembershipsService, JwtVerifier, BootstrapService],
  exports: [TokenService, MembershipsService],
})
export class AuthModule {}
