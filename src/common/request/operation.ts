import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Caller } from '../../auth/caller.js';
import type { Permission } from '../../auth/permissions.js';
import type { UserAccess } from '../../auth/access.service.js';

/** What an operation needs to know about its caller's access, derived from the validated input. */
export type AccessRequirement =
  { user: string; access: UserAccess | null } | { org: string; permission: Permission } | { instance: Permission };

export interface OperationSpec<T = any> {
  /** The one input class of the operation; validated before any lookup, as spec §1 orders. */
  input?: new () => T;
  /** REST only: the thin conversion from path params, JSON body, headers and query to the input's plain shape. */
  fromRest?: (
    params: Record<string, string>,
    body: unknown,
    headers: Record<string, string | string[] | undefined>,
    query: Record<string, unknown>,
  ) => unknown;
  /** GraphQL only: the plain input from the field's arguments (default: the `input` argument). */
  fromGraphQL?: (args: Record<string, unknown>) => unknown;
  /** The lookup and permission the caller needs; checked after validation. */
  access?: (input: T, caller: Caller) => AccessRequirement;
}

export const OPERATION = 'operation';
export const IS_PUBLIC = 'isPublic';

/** Declares an operation's input and access rules; the global guards apply them in order. */
export const Operation = <T>(spec: OperationSpec<T>) => SetMetadata(OPERATION, spec);

/** Opens a route to unauthenticated callers (the guard denies by default). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

export interface RequestState {
  caller?: Caller;
  input?: unknown;
}

/** The mutable per-request state of the guards, on the HTTP request object for both transports. */
export function requestOf(ctx: ExecutionContext): RequestState & {
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, string>;
  body?: unknown;
  query?: Record<string, unknown>;
} {
  if (ctx.getType<string>() === 'graphql') return GqlExecutionContext.create(ctx).getContext<{ req: any }>().req;
  return ctx.switchToHttp().getRequest();
}

/** The validated input: REST keeps it on the request, GraphQL in the resolver's own args. */
export const Input = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  if (ctx.getType<string>() === 'graphql') return GqlExecutionContext.create(ctx).getArgs<{ input: unknown }>().input;
  return requestOf(ctx).input;
});

export const CurrentCaller = createParamDecorator((_: unknown, ctx: ExecutionContext) => requestOf(ctx).caller);
