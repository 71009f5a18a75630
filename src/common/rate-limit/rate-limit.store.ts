import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/config.js';
import { Clock } from '../clock.js';

export interface Hit {
  count: number;
  /** Milliseconds until the window resets. */
  resetInMs: number;
}

/**
 * Fixed-window counters for the rate limits: in memory per instance, or in Redis (REDIS_URL)
 * so that several instances share them. The Redis client is loaded only when REDIS_URL is set.
 */
@Injectable()
export class RateLimitStore implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('RateLimit');
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private redis: Redis | null = null;
  private lastSweep = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.config.redisUrl) return;
    const { Redis } = await import('ioredis');
    this.redis = new Redis(this.config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    this.redis.on('error', (e: Error) => this.logger.warn(`redis: ${e.message}`));
  }

  async hit(key: string, windowMs: number): Promise<Hit> {
    if (this.redis) {
      try {
        const k = `rl:${key}`;
        const [[, count], [, ttl]] = (await this.redis.multi().incr(k).pttl(k).exec()) as [[null, number], [null, number]];
        if (ttl < 0) await this.redis.pexpire(k, windowMs);
        return { count, resetInMs: ttl < 0 ? windowMs : ttl };
      } catch (e) {
        // Redis down: fall back to this instance's memory rather than refusing everybody
        this.logger.warn(`redis unavailable, counting in memory: ${(e as Error).message}`);
      }
    }
    const now = this.clock.now().getTime();
    this.sweep(now);
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, w);
    }
    w.count++;
    return { count: w.count, resetInMs: w.resetAt - now };
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis?.quit().catch(() => undefined);
  }
}
