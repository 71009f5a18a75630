import type { Caller } from '../auth/caller.js';
import type { AccessRequirement } from '../common/request/operation.js';
import type { Verification } from '../email/inputs/verification.js';
import { AddHumanUserInput } from './inputs/add-human-user.input.js';
import type { UpdateUserInput } from './inputs/update-user.input.js';
import { UsersService } from './users.service.js';

// Access rules of the user operations (spec §3), shared by the REST and GraphQL handlers.

/** Self-service may only mail a code; returning it or marking the address verified needs user.write. */
export const emailChangeAccess = (input: { userId: string; verification: Verification }): AccessRequirement => ({
  user: input.userId,
  access: { permission: 'user.write', self: input.verification.kind === 'send' },
});

/** VerifyEmail checks no permission (the code is the credential), only that the user exists. */
export const verifyEmailAccess = (input: { userId: string }): AccessRequirement => ({ user: input.userId, access: null });

export const readUserAccess = (userId: string): AccessRequirement => ({ user: userId, access: { permission: 'user.read', self: true } });

export const addPatAccess = (input: { userId: string }): AccessRequirement => ({
  user: input.userId,
  access: { permission: 'user.write', self: true },
});

export const addHumanAccess = (input: AddHumanUserInput, caller: Caller): AccessRequirement => ({
  org: UsersService.targetOrg(input, caller),
  permission: 'user.write',
});

/**
 * UpdateUser: a write to the user (user.write, or oneself); with human.email the rule of
 * SetEmail applies on top (self-service only mails a code).
 */
export const updateUserAccess = (input: UpdateUserInput): AccessRequirement => ({
  user: input.userId,
  access: { permission: 'user.write', self: (input.emailVerification?.kind ?? 'send') === 'send' },
});

/** Cancelling a pending address (verify-first): the user themselves or user.write. */
export const cancelPendingEmailAccess = (input: { userId: string }): AccessRequirement => ({
  user: input.userId,
  access: { permission: 'user.write', self: true },
});
