import type { AddHumanUserRequest, GetUserByIDRequest } from '@zitadel/proto/zitadel/user/v2/user_service_pb.js';
import { userRule } from '../auth/access.js';
import type { Details } from '../common/details.js';
import { detailsToProto, verificationFromProto } from '../connect/proto.js';
import { ResendEmailCode, SendEmailCode, SetEmail, VerifyEmail } from '../email/email.operations.js';
import { defineOperation } from '../pipeline/operation.js';
import { AddHumanUserInput } from './inputs/add-human-user.input.js';
import { AddPatInput } from './inputs/add-pat.input.js';
import { GetUserInput } from './inputs/get-user.input.js';
import { RemovePatInput } from './inputs/remove-pat.input.js';
import { genderNumber } from './inputs/update-user.input.js';
import { UpdateUser } from './update-user.operations.js';
import { addHumanUserFromRest, addPatFromRest, getUserFromRest, removePatFromRest } from './users.rest.js';
import { UsersService } from './users.service.js';

// The user operations, each declared once for REST, GraphQL and Connect/gRPC (spec §7.2).
// Access rules are spec §3 and §7.1.

/** ZITADEL's user.v2.UserState numbers. */
const USER_STATE: Record<string, number> = {
  USER_STATE_ACTIVE: 1,
  USER_STATE_INACTIVE: 2,
  USER_STATE_DELETED: 3,
  USER_STATE_LOCKED: 4,
  USER_STATE_INITIAL: 5,
};

/** Minting, listing and revoking PATs: oneself, or user.write and the rank (§7.1). */
const patRule = (i: { userId: string }) => userRule(i.userId, 'user.write', { self: true, rank: true });

export const AddHumanUser = defineOperation({
  name: 'AddHumanUser',
  input: AddHumanUserInput,
  limit: 'write',
  access: (i, caller) => ({ kind: 'org', orgId: UsersService.targetOrg(i, caller!), permission: 'user.write' }),
  fromRest: addHumanUserFromRest,
  connect: {
    method: 'addHumanUser',
    fromProto: (m: AddHumanUserRequest) => ({
      userId: m.userId,
      username: m.username,
      organization: m.organization && (m.organization.org.case === 'orgId' ? { orgId: m.organization.org.value } : {}),
      profile: m.profile && {
        givenName: m.profile.givenName,
        familyName: m.profile.familyName,
        displayName: m.profile.displayName,
        preferredLanguage: m.profile.preferredLanguage,
      },
      email: m.email && { email: m.email.email, ...verificationFromProto(m.email.verification) },
      // §7.9: the links through which a JWT's subject reaches this user (empty list = none)
      idpLinks: m.idpLinks.length ? m.idpLinks.map((l) => ({ idpId: l.idpId, userId: l.userId, userName: l.userName })) : undefined,
    }),
    toProto: (r: { userId: string; details: Details; emailCode?: string }) => ({
      userId: r.userId,
      details: detailsToProto(r.details),
      emailCode: r.emailCode,
    }),
  },
  service: UsersService,
  execute: (users, call) => users.addHuman(call),
});

export const GetUserByID = defineOperation({
  name: 'GetUserByID',
  input: GetUserInput,
  limit: 'read',
  access: (i) => userRule(i.userId, 'user.read', { self: true, rank: false }),
  fromRest: getUserFromRest,
  fromGraphQL: (a) => ({ userId: a.id }),
  connect: {
    method: 'getUserByID',
    fromProto: (m: GetUserByIDRequest) => ({ userId: m.userId }),
    toProto: (u: Awaited<ReturnType<UsersService['getById']>>) => ({
      details: detailsToProto(u.details),
      user: {
        userId: u.userId,
        details: detailsToProto(u.details),
        state: USER_STATE[u.state] ?? 0,
        username: u.username,
        loginNames: u.loginNames,
        preferredLoginName: u.preferredLoginName,
        type: {
          case: 'human',
          value: {
            profile: { ...u.human.profile, gender: u.human.profile.gender ? genderNumber(u.human.profile.gender) : undefined },
            // protobuf has no field for verify-first's pending address (REST and GraphQL show it)
            email: { email: u.human.email.email, isVerified: u.human.email.isVerified },
          },
        },
      },
    }),
  },
  service: UsersService,
  execute: (users, call) => users.getById(call),
});

export const AddPersonalAccessToken = defineOperation({
  name: 'AddPersonalAccessToken',
  input: AddPatInput,
  limit: 'write',
  access: patRule,
  fromRest: addPatFromRest,
  service: UsersService,
  execute: (users, call) => users.addPersonalAccessToken(call),
});

export const ListPersonalAccessTokens = defineOperation({
  name: 'ListPersonalAccessTokens',
  input: GetUserInput,
  limit: 'read',
  access: patRule,
  fromRest: getUserFromRest,
  fromGraphQL: (a) => ({ userId: a.userId }),
  service: UsersService,
  execute: (users, call) => users.listPersonalAccessTokens(call),
});

export const RemovePersonalAccessToken = defineOperation({
  name: 'RemovePersonalAccessToken',
  input: RemovePatInput,
  limit: 'write',
  access: patRule,
  fromRest: removePatFromRest,
  service: UsersService,
  execute: (users, call) => users.removePersonalAccessToken(call),
});

/** The operations served over Connect, gRPC-web and gRPC (zitadel.user.v2.UserService). */
export const USER_SERVICE_CONNECT = [AddHumanUser, GetUserByID, SetEmail, ResendEmailCode, SendEmailCode, VerifyEmail, UpdateUser];
