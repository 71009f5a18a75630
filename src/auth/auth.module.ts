import { Module } from '@nestjs/common';
import { UserStoreModule } from '../users/user-store.module.js';
import { AccessService } from './access.service.js';
import { AuthRepository } from './auth.repository.js';
import { BootstrapService } from './bootstrap.service.js';
import { JwtVerifier } from './jwt.verifier.js';
import { TokenService } from './token.service.js';

@Module({
  imports: [UserStoreModule],
  providers: [AuthRepository, TokenService, JwtVerifier, AccessService, BootstrapService],
  exports: [TokenService, AccessService, AuthRepository],
})
export class AuthModule {}
