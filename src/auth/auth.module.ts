import { Module } from '@nestjs/common';
import { UserStoreModule } from '../users/user-store.module.js';
import { AuthRepository } from './auth.repository.js';
import { BootstrapService } from './bootstrap.service.js';
import { JwtVerifier } from './jwt.verifier.js';
import { MembershipsService } from './memberships.service.js';
import { TokenService } from './token.service.js';

@Module({
  imports: [UserStoreModule],
  providers: [AuthRepository, TokenService, MembershipsService, JwtVerifier, BootstrapService],
  exports: [TokenService, MembershipsService],
})
export class AuthModule {}
