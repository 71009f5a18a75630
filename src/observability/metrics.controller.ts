import { Controller, Get, Header, Headers, Inject } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Errors } from '../common/errors/app-error.js';
import { Public } from '../pipeline/operation.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { MetricsService } from './metrics.service.js';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

@Controller()
export class MetricsController {
  private readonly expected: Buffer | undefined;

  constructor(
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.expected = config.metricsToken === undefined ? undefined : digest(`Bearer ${config.metricsToken}`);
  }

  /**
   * Prometheus text format. Not a user-facing API (no PAT), but with METRICS_TOKEN set (spec
   * §7.10) only a scraper sending `Authorization: Bearer <METRICS_TOKEN>` reads it; the
   * comparison takes the same time however much of the header matches.
   */
  @Public()
  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(@Headers('authorization') authorization: string | undefined): Promise<string> {
    if (this.expected) {
      if (authorization === undefined) throw Errors.authHeaderMissing();
      if (!timingSafeEqual(digest(authorization.trim()), this.expected)) throw Errors.unauthenticated();
    }
    return this.metrics.registry.metrics();
  }
}
