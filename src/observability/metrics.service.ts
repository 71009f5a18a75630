import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of the service (served at /metrics). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method and route template',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly graphqlOperations = new Counter({
    name: 'graphql_operations_total',
    help: 'GraphQL operations by operation name and outcome (ok, error)',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly mailDeliveries = new Counter({
    name: 'mail_deliveries_total',
    help: 'Mail delivery attempts by outcome (sent, retry, dead)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly codeVerifications = new Counter({
    name: 'email_code_verifications_total',
    help: 'Email code verifications by outcome (verified, invalid)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly actionCalls = new Counter({
    name: 'action_calls_total',
    help: 'Action target calls by target ID and outcome (sent, retry, dead)',
    labelNames: ['target', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly sqliteGroupCommits = new Histogram({
    name: 'sqlite_group_commit_units',
    help: 'SQLite group commit: units of work (changes) per COMMIT',
    buckets: [1, 2, 4, 8, 16, 32],
    registers: [this.registry],
  });

  private actionQueueSource: (() => Promise<Record<string, number>>) | null = null;

  readonly actionQueueDepth = new Gauge({
    name: 'action_calls_queued',
    help: 'Action calls by state (pending, sending, retrying, sent, dead)',
    labelNames: ['state'] as const,
    registers: [this.registry],
    collect: async () => {
      if (!this.actionQueueSource) return;
      const counts = await this.actionQueueSource();
      for (const state of ['pending', 'sending', 'retrying', 'sent', 'dead']) this.actionQueueDepth.set({ state }, counts[state] ?? 0);
    },
  });

  /** The actions module tells where its queue depth comes from; read at each scrape. */
  setActionQueueDepthSource(source: () => Promise<Record<string, number>>): void {
    this.actionQueueSource = source;
  }

  private outboxSource: (() => Promise<Record<string, number>>) | null = null;

  readonly outboxDepth = new Gauge({
    name: 'mail_outbox_messages',
    help: 'Mails in the outbox by state (pending, sending, retrying, sent, dead)',
    labelNames: ['state'] as const,
    registers: [this.registry],
    collect: async () => {
      if (!this.outboxSource) return;
      const counts = await this.outboxSource();
      for (const state of ['pending', 'sending', 'retrying', 'sent', 'dead']) this.outboxDepth.set({ state }, counts[state] ?? 0);
    },
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** The outbox module tells where its depth comes from; read at each scrape. */
  setOutboxDepthSource(source: () => Promise<Record<string, number>>): void {
    this.outboxSource = source;
  }

  observeHttp(method: string, route: string, status: number, seconds: number): void {
    this.httpRequests.inc({ method, route, status: String(status) });
    this.httpDuration.observe({ method, route }, seconds);
  }
}
