import type { UpdateUserRequest } from '@zitadel/proto/zitadel/user/v2/user_service_pb.js';
import { userRule } from '../auth/access.js';
import { headerOf, timestampOf, verificationFromProto } from '../connect/proto.js';
import { EmailChangeService } from '../email/email-change.service.js';
import { defineOperation } from '../pipeline/operation.js';
import { GetUserInput } from './inputs/get-user.input.js';
import { UpdateUserInput } from './inputs/update-user.input.js';
import { updateUserFromRest } from './update-user.rest.js';
import { UpdateUserResult, UserUpdateService } from './user-update.service.js';
import { getUserFromRest } from './users.rest.js';

// spec §10's user operations, declared once for REST, GraphQL and Connect/gRPC (spec §7.2).

type Headers = Record<string, string | string[] | undefined>;

/**
 * ZITADEL v4's UpdateUser. A write to the user: user.write and the rank for another user (§7.1),
 * or oneself; with human.email SetEmail's rule on top (self-service only mails a code, §3).
 */
export const UpdateUser = defineOperation({
  name: 'UpdateUser',
  input: UpdateUserInput,
  limit: 'write',
  access: (i) => userRule(i.userId, 'user.write', { self: (i.emailVerification?.kind ?? 'send') === 'send', rank: true }),
  fromRest: updateUserFromRest,
  connect: {
    method: 'updateUser',
    fromProto: (m: UpdateUserRequest, h: Headers) => {
      const human = m.userType.case === 'human' ? m.userType.value : undefined;
      const p = human?.profile;
      return {
        userId: m.userId,
        idempotencyKey: headerOf(h, 'idempotency-key'),
        username: m.username,
        // present → refused with 12 (this service keeps neither)
        machine: m.userType.case === 'machine' ? {} : undefined,
        human: human && {
          profile: p && {
            givenName: p.givenName,
            familyName: p.familyName,
            nickName: p.nickName,
            displayName: p.displayName,
            preferredLanguage: p.preferredLanguage,
            gender: p.gender,
          },
          email: human.email && { email: human.email.email, ...verificationFromProto(human.email.verification) },
          phone: human.phone ? {} : undefined,
          password: human.password ? {} : undefined,
        },
      };
    },
    toProto: (r: UpdateUserResult) => ({ changeDate: timestampOf(r.changeDate), emailCode: r.emailCode }),
  },
  service: UserUpdateService,
  execute: (updates, call) => updates.update(call),
});

/** beyond ZITADEL (verify-first): drop the pending address; the user themself, or user.write and the rank. */
export const CancelPendingEmail = defineOperation({
  name: 'CancelPendingEmail',
  input: GetUserInput,
  limit: 'write',
  access: (i) => userRule(i.userId, 'user.write', { self: true, rank: true }),
  fromRest: getUserFromRest,
  fromGraphQL: (a) => ({ userId: a.userId }),
  service: EmailChangeService,
  execute: (changes, call) => changes.cancelPending(call),
});
