import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { LoggerModule } from 'nestjs-pino';
import { AccountsModule } from './accounts/accounts.module.js';
import { AuthModule } from './auth/auth.module.js';
import { BootstrapModule } from './bootstrap/bootstrap.module.js';
import { TokenService } from './auth/token.service.js';
import { CommonModule } from './common/common.module.js';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter.js';
import { formatGraphQLError } from './common/errors/graphql-errors.js';
import { graphqlLimitsRule } from './common/graphql-limits.js';
import { introspectionAuthPlugin, noSubscriptionsRule } from './common/graphql-surface.js';
import { withGraphiQLLink } from './graphiql/sandbox-link.js';
import { ConfigModule } from './config/config.module.js';
import type { AppConfig } from './config/config.js';
import { DatabaseModule } from './database/database.module.js';
import { EmailModule } from './email/email.module.js';
import { createRootLogger, LogDrain, loggerParams } from './observability/logging.js';
import { graphqlMetricsPlugin } from './observability/graphql-metrics.plugin.js';
import { MetricsService } from './observability/metrics.service.js';
import { ObservabilityModule } from './observability/observability.module.js';
import { OrganizationsModule } from './organizations/organizations.module.js';
import { DeliveriesModule } from './outbox/deliveries.module.js';
import { OutboxModule } from './outbox/outbox.module.js';
import { OperationGuard } from './pipeline/operation.guard.js';
import { PipelineModule } from './pipeline/pipeline.module.js';
import { ConnectModule } from './connect/connect.module.js';
import { TextsModule } from './texts/texts.module.js';
import { ActionsModule } from './actions/actions.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, logger = createRootLogger(config)): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        CommonModule,
        DatabaseModule,
        LoggerModule.forRoot(loggerParams(logger)),
        ObservabilityModule,
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          imports: [AuthModule],
          inject: [MetricsService, TokenService],
          useFactory: (metrics: MetricsService, tokens: TokenService) => ({
            path: '/graphql',
            autoSchemaFile: true,
            sortSchema: true,
            introspection: true,
            includeStacktraceInErrorResponses: false,
            // Apollo's embedded Sandbox for browsers on GET /graphql, not the retired playground;
            // it links to GraphiQL at /graphiql, which works without Apollo's CDN
            playground: false,
            plugins: [
              withGraphiQLLink(ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false })),
              graphqlMetricsPlugin(metrics),
              // §7.10: the schema only for callers with a valid token (unless configured public)
              introspectionAuthPlugin(tokens, config.graphqlPublicIntrospection),
              // no CDN caching here: per-field cache hints would cost every request something
              ApolloServerPluginCacheControlDisabled(),
            ],
            formatError: formatGraphQLError,
            // query bombs are refused while validating, before anything runs; no batching
            validationRules: [graphqlLimitsRule(), noSubscriptionsRule],
            parseOptions: { maxTokens: 5000 },
            allowBatchedHttpRequests: false,
          }),
        }),
        AuthModule,
        // its onApplicationBootstrap (the first admin) runs before the workers' start below
        BootstrapModule,
        EmailModule,
        OutboxModule,
        DeliveriesModule,
        PipelineModule,
        // delivery (mailer, templates, worker) only where this process sends mail: an API
        // instance with MAIL_WORKER=off never loads the mail stack
        ...(config.mailWorker === 'inline'
          ? [
              import('./outbox/delivery.module.js').then((m) => ({ module: m.DeliveryModule })),
              import('./actions/action-delivery.module.js').then((m) => ({ module: m.ActionDeliveryModule })),
            ]
          : []),
        ActionsModule,
        OrganizationsModule,
        AccountsModule,
        TextsModule,
        ConnectModule,
      ],
      providers: [
        // REST and GraphQL enter the one pipeline (spec §7.2) through this guard: authenticate,
        // rate limits, validate, then the service authorises on the row it locks
        { provide: APP_GUARD, useExisting: OperationGuard },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        { provide: LogDrain, useFactory: () => new LogDrain(logger) },
      ],
    };
  }
}
