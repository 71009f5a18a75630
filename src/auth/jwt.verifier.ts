import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { JWTVerifyGetKey } from 'jose';
import { Clock } from '../common/clock.js';
import { AppError, Errors } from '../common/errors/app-error.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig, JwtConfig } from '../config/config.js';
import { AuthRepository } from './auth.repository.js';
import { Caller } from './caller.js';

/** The key set could not be fetched or read: the operator's problem, not the client's. */
class KeySetUnavailable extends Error {}

/**
 * Verifies JWT access tokens (RS256, ES256) against the issuer's JWKS. jose caches the key set
 * for `jwksCacheMaxAgeSeconds` and fetches it again when a token names a key it does not hold
 * (at most once per `jwksCooldownSeconds`), which is how the issuer rotates keys. jose is loaded
 * only when AUTH_JWKS_URL is set.
 */
@Injectable()
export class JwtVerifier implements OnModuleInit {
  private readonly logger = new Logger('JwtVerifier');
  private readonly settings: JwtConfig | undefined;
  private jose: typeof import('jose') | undefined;
  private keys: JWTVerifyGetKey | undefined;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly auth: AuthRepository,
    private readonly clock: Clock,
  ) {
    this.settings = config.jwt;
  }

  async onModuleInit(): Promise<void> {
    if (!this.settings) return;
    const jose = (this.jose = await import('jose'));
    const url = new URL(this.settings.jwksUrl);
    const where = url.origin + url.pathname; // never log credentials in the URL
    const remote = jose.createRemoteJWKSet(url, {
      cacheMaxAge: this.settings.jwksCacheMaxAgeSeconds * 1000,
      cooldownDuration: this.settings.jwksCooldownSeconds * 1000,
    });
    this.keys = async (header, token) => {
      try {
        return await remote(header, token);
      } catch (err) {
        if (err instanceof jose.errors.JWKSNoMatchingKey || err instanceof jose.errors.JWKSMultipleMatchingKeys) throw err;
        this.logger.warn(`JWKS at ${where} unavailable: ${(err as Error).message}`);
        throw new KeySetUnavailable();
      }
    };
  }

  /** `typ` as RFC 8725 compares it: case-insensitive, `application/` optional. */
  private allowedType(typ: string | undefined): boolean {
    if (typ === undefined) return false;
    const norm = (t: string) => t.toLowerCase().replace(/^application\//, '');
    return this.settings!.allowedTokenTypes.some((t) => norm(t) === norm(typ));
  }

  /** Whether JWTs are accepted at all (AUTH_JWKS_URL is set). */
  get enabled(): boolean {
    return this.keys !== undefined;
  }

  /** The caller behind a JWT; 401 for a bad token, an unknown or inactive subject, or an unreachable key set. */
  async verify(token: string): Promise<Caller> {
    const jose = this.jose;
    if (!this.settings || !this.keys || !jose) throw Errors.unauthenticated();
    let sub: string | undefined;
    try {
      const { payload, protectedHeader } = await jose.jwtVerify(token, this.keys, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: ['RS256', 'ES256'],
        clockTolerance: this.settings.clockSkewSeconds,
        currentDate: this.clock.now(),
        // a token without an expiry would be valid for ever
        requiredClaims: ['sub', 'exp'],
      });
      // §7.9: an ID token, a logout token or any other JWT the issuer signs is not an access token
      if (!this.allowedType(protectedHeader.typ)) throw Errors.unauthenticated();
      sub = payload.sub;
    } catch (err) {
      if (err instanceof AppError) throw err;
      // whatever the token holds, it is the client's 401, never a 500; surprises are still logged
      if (!(err instanceof jose.errors.JOSEError) && !(err instanceof KeySetUnavailable)) {
        this.logger.warn(`JWT rejected by an unexpected error: ${(err as Error)?.message ?? String(err)}`);
      }
      throw Errors.unauthenticated();
    }
    if (!sub) throw Errors.unauthenticated();
    // §7.9: the subject is the provider's ID of the user, never read as a local user ID; only
    // the user's IDP link for AUTH_IDP_ID names the local user
    const userId = await this.auth.findUserByIdpLink(this.settings.idpId, sub);
    if (!userId) throw Errors.unauthenticated();
    const orgId = await this.auth.findActiveUserOrg(userId);
    if (!orgId) throw Errors.unauthenticated();
    const memberships = await this.auth.membershipsOf(userId);
    // keyed by user, not jti: a client minting a token per call still meets its per-token rate limit
    return new Caller(userId, orgId, `jwt:${userId}`, memberships);
  }
}
