import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.js';
import { resourceExhausted } from '../errors/app-error.js';
import { RateLimitStore } from './rate-limit.store.js';

const WINDOW_MS = 60_000;

/**
 * Per-token and per-IP limits on writes, and a stricter per-IP limit on code verification
 * (spec §7.2): 429 RATE-l1m1t with Retry-After on every transport. The pipeline calls it
 * after authentication, for the operation's rate-limit class.
 */
@Injectable()
export class RateLimiter {
  constructor(
    private readonly store: RateLimitStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async check(kind: 'read' | 'write' | 'verify', ip: string, tokenId: string | undefined): Promise<void> {
    if (kind === 'read') return;
    if (kind === 'verify') await this.take(`verify:ip:${ip}`, this.config.rateLimitVerifyPerIp);
    await this.take(`write:ip:${ip}`, this.config.rateLimitWritesPerIp);
    if (tokenId !== undefined) await this.take(`write:token:${tokenId}`, this.config.rateLimitWritesPerToken);
  }

  private async take(key: string, perMinute: number): Promise<void> {
    if (perMinute <= 0) return;
    const hit = await this.store.hit(key, WINDOW_MS);
    if (hit.count > perMinute) {
      throw resourceExhausted('RATE-l1m1t', 'Too many requests; retry later', Math.max(1, Math.ceil(hit.resetInMs / 1000)));
    }
  }
}
