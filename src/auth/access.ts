import { Errors, notFound } from '../common/errors/app-error.js';
import { INSTANCE_SCOPE } from '../database/entities/membership.entity.js';
import type { Caller } from './caller.js';
import { Permission, Role } from './permissions.js';

/**
 * What an operation asks of its caller, declared once per operation (users.operations.ts, ...).
 * `instance` and `org` rules need no row and are checked by the pipeline before the service
 * runs; a `user` rule is checked by the service on the target row it has locked inside its unit
 * of work (`authorizeUser`), so nothing changes between the check and the write.
 */
export type AccessRule =
  | { kind: 'instance'; permission: Permission }
  | { kind: 'org'; orgId: string; permission: Permission }
  | {
      kind: 'user';
      userId: string;
      permission: Permission;
      /** Acting on oneself is enough without the permission. */
      self: boolean;
      /** §7.1: a write to another user also needs the caller to rank at least as high as the target everywhere. */
      rank: boolean;
    }
  /** VerifyEmail: the code is the credential; the service decides what a caller may learn. */
  | { kind: 'code'; userId: string };

/** Roles by scope (an organisation ID, or INSTANCE_SCOPE), as the memberships table holds them. */
export type Memberships = ReadonlyMap<string, readonly string[]>;

/** The user an operation acts on, as its service loaded it: the row's owner and the user's roles. */
export interface Target {
  id: string;
  orgId: string;
  memberships: Memberships;
}

/** §7.1's order of the roles; an instance role is matched only by IAM_OWNER. */
const RANK: Record<Role, number> = { IAM_OWNER: 4, ORG_OWNER: 3, ORG_USER_MANAGER: 2, ORG_USER_VIEWER: 1 };
const IAM_OWNER_RANK = RANK.IAM_OWNER;
const rankOf = (role: string): number => (RANK as Record<string, number | undefined>)[role] ?? IAM_OWNER_RANK;

/** The highest rank among roles (0 for none); an unknown role ranks as high as IAM_OWNER, so only IAM_OWNER matches it. */
const highest = (roles: readonly string[] | undefined): number => (roles ?? []).reduce((r, role) => Math.max(r, rankOf(role)), 0);

/** The caller's rank in a scope: its own roles there, or IAM_OWNER's, which outranks every organisation role. */
export function callerRank(caller: Caller, scope: string): number {
  const instance = caller.memberships.get(INSTANCE_SCOPE)?.includes('IAM_OWNER') ? IAM_OWNER_RANK : 0;
  if (scope === INSTANCE_SCOPE) return instance;
  return Math.max(instance, highest(caller.memberships.get(scope)));
}

/** Whether the caller holds, in every scope where the target holds a role, that role or a higher one. */
export function outranks(caller: Caller, target: Memberships): boolean {
  for (const [scope, roles] of target) {
    const need = scope === INSTANCE_SCOPE && roles.length ? IAM_OWNER_RANK : highest(roles);
    if (callerRank(caller, scope) < need) return false;
  }
  return true;
}

/** Whether the caller may grant every one of these roles in the scope: nobody grants a role above their own. */
export function mayGrant(caller: Caller, scope: string, roles: readonly string[]): boolean {
  return callerRank(caller, scope) >= highest(roles);
}

/** Whether the caller may read the user (its own record, or user.read in the user's organisation). */
export function canRead(caller: Caller | null, target: { id: string; orgId: string }): boolean {
  return !!caller && (caller.userId === target.id || caller.can('user.read', target.orgId));
}

/**
 * Spec §3 and §7.1 on the loaded target: a missing user and a user of an organisation the
 * caller has no membership in look the same (404 COMMAND-ieJ2e); a member without the
 * permission, or without the rank for a write to another user, gets 403 AUTH-AWfge.
 */
export function authorizeUser(caller: Caller, target: Target | null, rule: Extract<AccessRule, { kind: 'user' }>): void {
  if (!target) throw Errors.userNotFound();
  const self = caller.userId === target.id;
  if (rule.self && self) return;
  if (caller.can(rule.permission, target.orgId) && (self || !rule.rank || outranks(caller, target.memberships))) return;
  if (!self && !caller.isMemberOf(target.orgId)) throw Errors.userNotFound();
  throw Errors.permissionDenied();
}

/** An organisation's permission (404 for outsiders, as for users). */
export function authorizeOrg(caller: Caller, orgId: string, permission: Permission): void {
  if (caller.can(permission, orgId)) return;
  if (!caller.isMemberOf(orgId)) throw notFound('AUTHZ-cdgFk', 'membership not found');
  throw Errors.permissionDenied();
}

/** Instance-wide permissions (creating organisations, mail administration). */
export function authorizeInstance(caller: Caller, permission: Permission): void {
  if (!caller.can(permission, '')) throw Errors.permissionDenied();
}

/** The checks that need no row, run by the pipeline before the service: instance and organisation rules. */
export function authorizeWithoutTarget(caller: Caller, rule: AccessRule): void {
  if (rule.kind === 'instance') authorizeInstance(caller, rule.permission);
  else if (rule.kind === 'org') authorizeOrg(caller, rule.orgId, rule.permission);
}

// The rules of the operations, shared by every transport through the operation definitions.

export const userRule = (userId: string, permission: Permission, opts: { self: boolean; rank: boolean }): AccessRule => ({
  kind: 'user',
  userId,
  permission,
  ...opts,
});
