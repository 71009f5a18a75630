import { Controller, Get } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { unavailable } from './common/errors/app-error.js';
import { Public } from './common/request/operation.js';

@Controller()
export class HealthController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Alive: the process answers. */
  @Public()
  @Get('healthz')
  healthz() {
    return { status: 'ok' };
  }

  /** Ready: the database answers and no migration is pending. */
  @Public()
  @Get('readyz')
  async readyz() {
    try {
      await this.dataSource.query('SELECT 1');
      if (await this.dataSource.showMigrations()) throw new Error('pending migrations');
    } catch {
      throw unavailable('HEALTH-r3ady', 'Not ready');
    }
    return { status: 'ok' };
  }
}
