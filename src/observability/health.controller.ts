import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Public } from '../pipeline/operation.js';

@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** Alive: the process answers. */
  @Public()
  @Get('healthz')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  healthz() {
    return this.health.check([]);
  }

  /** Ready: the database answers and no migration is pending. */
  @Public()
  @Get('readyz')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  readyz() {
    return this.health.check([
      () => this.db.pingCheck('database', { connection: this.dataSource, timeout: 2000 }),
      async () => {
        const check = this.indicators.check('migrations');
        const pending = await this.dataSource.showMigrations().catch(() => true);
        return pending ? check.down({ pending: true }) : check.up();
      },
    ]);
  }
}
