import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { EntityManager } from 'typeorm';
import type { PersonalAccessTokenEntity } from '../database/entities/personal-access-token.entity.js';
import { Clock } from '../common/clock.js';
import { Errors } from '../common/errors/app-error.js';
import { IdGenerator } from '../common/id-generator.js';
import { Caller } from './caller.js';
import { AuthRepository } from './auth.repository.js';
import { JwtVerifier } from './jwt.verifier.js';

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

// A PAT is 32 random bytes, base64url: 43 characters. Anything else is not ours.
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
// A JWS in compact form: header.payload.signature, each base64url.
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Issues and verifies personal access tokens; only their SHA-256 is stored. */
@Injectable()
export class TokenService {
  constructor(
    private readonly tokens: AuthRepository,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly jwt: JwtVerifier,
  ) {}

  /** The caller behind a bearer token (a PAT, or a JWT when configured); 401 for anything but a live token of an active user. */
  async authenticate(token: string): Promise<Caller> {
    if (!TOKEN_SHAPE.test(token)) {
      if (this.jwt.enabled && JWT_SHAPE.test(token)) return this.jwt.verify(token);
      throw Errors.unauthenticated();
    }
    const owner = await this.tokens.findActiveByHash(hashToken(token));
    if (!owner || (owner.expiresAt !== null && owner.expiresAt <= this.clock.now().getTime())) throw Errors.unauthenticated();
    return new Caller(owner.userId, owner.orgId, owner.tokenId, owner.memberships);
  }

  /** A user's live tokens (never their hashes' use: the secret is not stored). */
  list(userId: string): Promise<PersonalAccessTokenEntity[]> {
    return this.tokens.listTokens(userId);
  }

  /** Revokes a live token of the user inside the caller's transaction; false when there is none. */
  revoke(em: EntityManager, userId: string, tokenId: string, at: Date): Promise<boolean> {
    return this.tokens.revokeToken(em, userId, tokenId, at);
  }

  /** Revokes every live token of the user inside the caller's transaction (an email change undone); returns how many. */
  revokeAll(em: EntityManager, userId: string, at: Date): Promise<number> {
    return this.tokens.revokeAllTokens(em, userId, at);
  }

  /** Creates a token for the user inside the caller's transaction; returns its ID and the token (shown once). */
  async issue(em: EntityManager, userId: string, expiresAt: Date | null): Promise<{ tokenId: string; token: string }> {
    const token = randomBytes(32).toString('base64url');
    const tokenId = this.ids.next();
    await this.tokens.insertToken(em, {
      id: tokenId,
      userId,
      tokenHash: hashToken(token),
      expiresAt,
      revokedAt: null,
      createdAt: this.clock.now(),
    });
    return { tokenId, token };
  }
}
