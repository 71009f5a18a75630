import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.js';
import { resourceExhausted } from '../errors/app-error.js';
import { requestOf } from '../request/operation.js';
import { RateLimitStore } from './rate-limit.store.js';

const WINDOW_MS = 60_000;
export const RATE_LIMIT_KIND = 'rateLimitKind';

/** Marks an operation whose every call counts against the (stricter) verify limit per client IP. */
export const VerifyRateLimit = () => SetMetadata(RATE_LIMIT_KIND, 'verify');

/**
 * Per-token and per-IP limits on writes (REST POST/DELETE, GraphQL mutations), and a stricter
 * per-IP limit on code verification; 429 with Retry-After. Runs after authentication.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly store: RateLimitStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const verify = this.reflector.get<string | undefined>(RATE_LIMIT_KIND, ctx.getHandler()) === 'verify';
    const write = verify || this.isWrite(ctx);
    if (!write) return true;
    const req = requestOf(ctx) as ReturnType<typeof requestOf> & { ip?: string };
    const ip = req.ip ?? 'unknown';
    if (verify) await this.take(`verify:ip:${ip}`, this.config.rateLimitVerifyPerIp);
    await this.take(`write:ip:${ip}`, this.config.rateLimitWritesPerIp);
    if (req.caller) await this.take(`write:token:${req.caller.tokenId}`, this.config.rateLimitWritesPerToken);
    return true;
  }

  private isWrite(ctx: ExecutionContext): boolean {
    if (ctx.getType<string>() === 'graphql')
      return GqlExecutionContext.create(ctx).getInfo<{ operation: { operation: string } }>().operation.operation === 'mutation';
    const method = ctx.switchToHttp().getRequest<{ method: string }>().method;
    return method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';
  }

  private async take(key: string, perMinute: number): Promise<void> {
    if (perMinute <= 0) return;
    const hit = await this.store.hit(key, WINDOW_MS);
    if (hit.count > perMinute) {
      throw resourceExhausted('RATE-l1m1t', 'Too many requests; retry later', Math.max(1, Math.ceil(hit.resetInMs / 1000)));
    }
  }
}
