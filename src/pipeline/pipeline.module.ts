import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { RateLimitStore } from '../common/rate-limit/rate-limit.store.js';
import { RateLimiter } from '../common/rate-limit/rate-limiter.js';
import { OperationGuard } from './operation.guard.js';
import { Pipeline } from './pipeline.js';

/** The one enforcement path of every operation and transport (spec §7.2). */
@Module({
  imports: [AuthModule],
  providers: [Pipeline, RateLimiter, RateLimitStore, OperationGuard],
  exports: [Pipeline, OperationGuard],
})
export class PipelineModule {}
