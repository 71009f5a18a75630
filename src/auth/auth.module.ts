import { Module } from '@nestjs/common';
import { AuthRepository } from './auth.repository.js';
import { JwtVerifier } from './jwt.verifier.js';
import { MembershipsService } from './memberships.service.js';
import { TokenService } from './token.service.js';

/** Who a caller is (PATs, JWTs) and what it may do (memberships); imports no other module of the app. */
@Module({
  providers: [AuthRepository, TokenService, MembershipsService, JwtVerifier],
  exports: [TokenService, MembershipsService],
})
export class AuthModule {}
