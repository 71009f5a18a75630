import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { authorizeWithoutTarget } from '../auth/access.js';
import type { Caller } from '../auth/caller.js';
import { TokenService } from '../auth/token.service.js';
import { Errors } from '../common/errors/app-error.js';
import { RateLimiter } from '../common/rate-limit/rate-limiter.js';
import { INPUT_CHECKS, type InputChecks, validateInput } from '../common/request/validation.js';
import type { Call, OperationDef } from './operation.js';

/** What a transport hands the pipeline: the raw credentials, the client address and its request in plain shape. */
export interface Arrival {
  /** The Authorization header as received (undefined: none). */
  authorization: string | undefined;
  /** The client address (common/request/client-ip.ts). */
  ip: string;
  /** An authenticated caller this transport request already carries (several GraphQL operations in one HTTP request). */
  caller?: Caller;
  /** The request in the input's plain shape; called after authentication and the rate limits. */
  plain: () => unknown;
}

/**
 * The one enforcement path (spec §7.2). Every operation on every transport — REST and GraphQL
 * through the OperationGuard, Connect, gRPC-web and gRPC through the Connect handlers, the
 * hosted page's POST — runs these steps in this order:
 *   authenticate (401) → rate limits (429) → validate (400) → instance/organisation rules
 *   (404/403) → the service, which loads the target user inside its unit of work and checks
 *   the operation's `user` rule on that locked row → errors through the one error model.
 */
@Injectable()
export class Pipeline {
  private readonly services = new Map<OperationDef, unknown>();
  private checks?: InputChecks;

  constructor(
    private readonly tokens: TokenService,
    private readonly limiter: RateLimiter,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** The caller behind an Authorization header: 401 AUTH-7fs1e without one, AUTHZ-Kl3p0 for anything but a live token. */
  async authenticate(authorization: string | undefined): Promise<Caller> {
    if (authorization === undefined) throw Errors.authHeaderMissing();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw Errors.unauthenticated();
    return this.tokens.authenticate(match[1]!);
  }

  /** The steps before the service: authenticate, rate limits, validate, the checks that need no row. */
  async enter<I extends object>(def: OperationDef<I>, arrival: Arrival): Promise<Call<I>> {
    const caller = def.public ? null : (arrival.caller ?? (await this.authenticate(arrival.authorization)));
    await this.limiter.check(def.limit, arrival.ip, caller?.tokenId);
    const input = validateInput(def.input, arrival.plain(), this.inputChecks());
    const rule = def.access(input, caller);
    if (caller) authorizeWithoutTarget(caller, rule);
    return { caller, input, rule, source: caller ? `user:${caller.userId}` : `ip:${arrival.ip}` };
  }

  /** The service call of a prepared call. */
  execute<I extends object, R>(def: OperationDef<I, R>, call: Call<I>): Promise<R> {
    return def.execute(this.serviceOf(def), call);
  }

  /** Every step, for transports that have no guard of their own (Connect, gRPC, the hosted page). */
  async run<I extends object, R>(def: OperationDef<I, R>, arrival: Arrival): Promise<R> {
    return this.execute(def, await this.enter(def, arrival));
  }

  private serviceOf(def: OperationDef): unknown {
    let service = this.services.get(def);
    if (service === undefined) {
      service = this.moduleRef.get(def.service, { strict: false });
      this.services.set(def, service);
    }
    return service;
  }

  /** The URL-template check of step 1 (EmailModule's), looked up once so that no module imports this one's users. */
  private inputChecks(): InputChecks {
    return (this.checks ??= this.moduleRef.get<InputChecks>(INPUT_CHECKS, { strict: false }));
  }
}
