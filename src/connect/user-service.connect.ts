import { toJson, type DescMessage, type MessageInitShape, type MessageShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { HandlerContext, ServiceImpl } from '@connectrpc/connect';
import type { DetailsSchema } from '@zitadel/proto/zitadel/object/v2/object_pb.js';
import {
  AddHumanUserRequestSchema,
  ResendEmailCodeRequestSchema,
  SendEmailCodeRequestSchema,
  SetEmailRequestSchema,
  UpdateUserRequestSchema,
  UserService,
  VerifyEmailRequestSchema,
} from '@zitadel/proto/zitadel/user/v2/user_service_pb.js';
import { UserStateSchema } from '@zitadel/proto/zitadel/user/v2/user_pb.js';
import { AccessService } from '../auth/access.service.js';
import type { Caller } from '../auth/caller.js';
import type { Details } from '../common/details.js';
import type { AccessRequirement } from '../common/request/operation.js';
import { type InputChecks, validateInput } from '../common/request/validation.js';
import { EmailService } from '../email/email.service.js';
import { ResendEmailCodeInput, SendEmailCodeInput, VerifyEmailInput } from '../email/inputs/email-code.input.js';
import { SetEmailInput } from '../email/inputs/set-email.input.js';
import { AddHumanUserInput } from '../users/inputs/add-human-user.input.js';
import { GetUserInput } from '../users/inputs/get-user.input.js';
import { genderNumber, UpdateUserInput } from '../users/inputs/update-user.input.js';
import { UserUpdateService } from '../users/user-update.service.js';
import { addHumanAccess, emailChangeAccess, readUserAccess, updateUserAccess, verifyEmailAccess } from '../users/users.access.js';
import {
  addHumanUserFromRest,
  getUserFromRest,
  resendEmailCodeFromRest,
  sendEmailCodeFromRest,
  setEmailFromRest,
  updateUserFromRest,
  verifyEmailFromRest,
} from '../users/users.rest.js';
import { UsersService } from '../users/users.service.js';
import { callerOf } from './interceptors.js';

type Impl = Partial<ServiceImpl<typeof UserService>>;
type Headers = Record<string, string>;

/**
 * ZITADEL's protojson rendering of a request message: the very body the REST route would have
 * received, so the REST converters (users.rest.ts) turn it into the input's plain shape.
 */
const asJson = <D extends DescMessage>(schema: D, req: MessageShape<D>) => toJson(schema, req);
const headersOf = (ctx: HandlerContext): Headers => Object.fromEntries(ctx.requestHeader.entries());

const details = (d: Details): MessageInitShape<typeof DetailsSchema> => ({
  sequence: BigInt(d.sequence),
  changeDate: timestampFromDate(d.changeDate),
  resourceOwner: d.resourceOwner,
});

const userState = (name: string): number => UserStateSchema.values.find((v) => v.name === name)?.number ?? 0;

/**
 * zitadel.user.v2.UserService over Connect, gRPC and gRPC-web: a thin API layer like the REST
 * controller. Each call is validated with the same input class and checks, authorised with the
 * same access rule, and served by the same service method; the other methods of the service
 * answer Unimplemented.
 */
export class UserServiceConnect {
  constructor(
    private readonly access: AccessService,
    private readonly email: EmailService,
    private readonly users: UsersService,
    private readonly checks: InputChecks,
    private readonly updates: UserUpdateService,
  ) {}

  /** The AccessGuard's step for a Connect call: the target lookup (404) and permission (403). */
  private authorize(caller: Caller, need: AccessRequirement): Promise<void> {
    return this.access.check(caller, need);
  }

  readonly implementation: Impl = {
    addHumanUser: async (req, ctx) => {
      const caller = callerOf(ctx);
      const input = validateInput(AddHumanUserInput, addHumanUserFromRest({}, asJson(AddHumanUserRequestSchema, req)), this.checks);
      await this.authorize(caller, addHumanAccess(input, caller));
      const r = await this.users.addHuman(caller, input);
      return { userId: r.userId, details: details(r.details), emailCode: r.emailCode };
    },

    getUserByID: async (req, ctx) => {
      const caller = callerOf(ctx);
      const input = validateInput(GetUserInput, getUserFromRest({ userId: req.userId }), this.checks);
      await this.authorize(caller, readUserAccess(input.userId));
      const u = await this.users.getById(input.userId);
      return {
        details: details(u.details),
        user: {
          userId: u.userId,
          details: details(u.details),
          state: userState(u.state),
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
      };
    },

    setEmail: async (req, ctx) => {
      const caller = callerOf(ctx);
      const plain = setEmailFromRest({ userId: req.userId }, asJson(SetEmailRequestSchema, req), headersOf(ctx));
      const input = validateInput(SetEmailInput, plain, this.checks);
      await this.authorize(caller, emailChangeAccess(input));
      const r = await this.email.setEmail(caller, input);
      return { details: details(r.details), verificationCode: r.verificationCode };
    },

    resendEmailCode: async (req, ctx) => {
      const caller = callerOf(ctx);
      const plain = resendEmailCodeFromRest({ userId: req.userId }, asJson(ResendEmailCodeRequestSchema, req), headersOf(ctx));
      const input = validateInput(ResendEmailCodeInput, plain, this.checks);
      await this.authorize(caller, emailChangeAccess(input));
      const r = await this.email.resendCode(caller, input);
      return { details: details(r.details), verificationCode: r.verificationCode };
    },

    sendEmailCode: async (req, ctx) => {
      const caller = callerOf(ctx);
      const plain = sendEmailCodeFromRest({ userId: req.userId }, asJson(SendEmailCodeRequestSchema, req), headersOf(ctx));
      const input = validateInput(SendEmailCodeInput, plain, this.checks);
      await this.authorize(caller, emailChangeAccess(input));
      const r = await this.email.sendCode(caller, input);
      return { details: details(r.details), verificationCode: r.verificationCode };
    },

    // ZITADEL v4: username, profile and human.email (= SetEmail) in one call
    updateUser: async (req, ctx) => {
      const caller = callerOf(ctx);
      const plain = updateUserFromRest({ userId: req.userId }, asJson(UpdateUserRequestSchema, req), headersOf(ctx));
      const input = validateInput(UpdateUserInput, plain, this.checks);
      await this.authorize(caller, updateUserAccess(input));
      const r = await this.updates.update(caller, input);
      return { changeDate: timestampFromDate(r.changeDate), emailCode: r.emailCode };
    },

    // no permission check (the code is the credential), but the user must exist
    verifyEmail: async (req, ctx) => {
      const caller = callerOf(ctx);
      const plain = verifyEmailFromRest({ userId: req.userId }, asJson(VerifyEmailRequestSchema, req), headersOf(ctx));
      const input = validateInput(VerifyEmailInput, plain, this.checks);
      await this.authorize(caller, verifyEmailAccess(input));
      const r = await this.email.verify(caller.userId, input);
      return { details: details(r.details) };
    },
  };
}
