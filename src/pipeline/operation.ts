import { createParamDecorator, ExecutionContext, SetMetadata, type Type } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { AccessRule } from '../auth/access.js';
import type { Caller } from '../auth/caller.js';
import { Errors } from '../common/errors/app-error.js';

/** Which rate limits a call counts against (spec §7.2): none, the write limits, or those and the stricter verify limit. */
export type RateLimitClass = 'read' | 'write' | 'verify';

type Headers = Record<string, string | string[] | undefined>;

/** One call of an operation, after authentication, rate limits and validation: what its service receives. */
export interface Call<I> {
  /** null only on a public operation (the hosted page's anonymous POST). */
  caller: Caller | null;
  input: I;
  /** The operation's access rule for this input; a service checks a `user` rule on the row it locked. */
  rule: AccessRule;
  /** Who is acting, for per-source counters: `user:<id>`, or `ip:<address>` when anonymous. */
  source: string;
}

/**
 * An operation, declared once for every transport (spec §7.2): the input class, the access rule,
 * the rate-limit class, the converters from each transport's request to the input's plain shape,
 * the service call and the conversion of its result to the protobuf response.
 */
export interface OperationDef<I extends object = any, R = any, S = any, P = any> {
  /** ZITADEL's method name (SetEmail); also the Connect method when `connect` is set. */
  name: string;
  input: Type<I>;
  limit: RateLimitClass;
  /** Callable without a token (the hosted page); the caller is then null. */
  public?: boolean;
  access: (input: I, caller: Caller | null) => AccessRule;
  /** REST: path params, JSON body, headers and query → the input's plain shape. */
  fromRest?: (params: Record<string, string>, body: unknown, headers: Headers, query: Record<string, unknown>) => unknown;
  /** GraphQL: the field's arguments → the plain shape (default: the `input` argument). */
  fromGraphQL?: (args: Record<string, unknown>) => unknown;
  /** Connect/gRPC: the method's name on zitadel.user.v2.UserService (lower camel case) and the protobuf converters. */
  connect?: {
    method: string;
    fromProto: (message: P, headers: Headers) => unknown;
    toProto: (result: R) => unknown;
  };
  /** The service that runs the use case, resolved once from the application. */
  service: Type<S>;
  execute: (service: S, call: Call<I>) => Promise<R>;
}

/** Declares an operation with its types checked against each other. */
export const defineOperation = <I extends object, R, S, P = unknown>(def: OperationDef<I, R, S, P>): OperationDef<I, R, S, P> => def;

export const OPERATION = 'operation';
export const IS_PUBLIC = 'isPublic';

/** Marks a REST route or GraphQL field as the entry of an operation: the global OperationGuard runs the pipeline's first steps. */
export const Op = (def: OperationDef) => SetMetadata(OPERATION, def);

/** Opens a route to unauthenticated callers (the guard denies by default). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** What the guard leaves on the HTTP request for the handler. */
export interface RequestState {
  /** The authenticated caller, kept for the other operations of one GraphQL request. */
  caller?: Caller;
  /** REST: the prepared call of the route's operation. */
  call?: Call<object>;
}

export type HttpRequest = RequestState & {
  headers: Headers;
  params?: Record<string, string>;
  body?: unknown;
  query?: Record<string, unknown>;
  ip?: string;
  socket?: { remoteAddress?: string };
};

/** The HTTP request of a REST route or a GraphQL operation. */
export function requestOf(ctx: ExecutionContext): HttpRequest {
  if (ctx.getType<string>() === 'graphql') return GqlExecutionContext.create(ctx).getContext<{ req: HttpRequest }>().req;
  return ctx.switchToHttp().getRequest();
}

/** GraphQL keeps a field's call among its own arguments: one HTTP request may carry several operations. */
export const GRAPHQL_CALL = '__call';

/** The call the guard prepared for this handler. */
export const CallOf = createParamDecorator((_: unknown, ctx: ExecutionContext): Call<object> | undefined => {
  if (ctx.getType<string>() === 'graphql') return GqlExecutionContext.create(ctx).getArgs<Record<string, Call<object>>>()[GRAPHQL_CALL];
  return requestOf(ctx).call;
});

/** The caller of a call that is not public (the pipeline authenticated it). */
export function callerOf(call: Call<object>): Caller {
  if (!call.caller) throw Errors.unauthenticated();
  return call.caller;
}
