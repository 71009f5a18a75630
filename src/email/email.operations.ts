import type {
  ResendEmailCodeRequest,
  SendEmailCodeRequest,
  SetEmailRequest,
  VerifyEmailRequest,
} from '@zitadel/proto/zitadel/user/v2/user_service_pb.js';
import { userRule } from '../auth/access.js';
import { detailsToProto, headerOf, verificationFromProto } from '../connect/proto.js';
import { defineOperation } from '../pipeline/operation.js';
import { resendEmailCodeFromRest, sendEmailCodeFromRest, setEmailFromRest, verifyEmailFromRest } from './email.rest.js';
import { EmailChangeResult, EmailService } from './email.service.js';
import { ResendEmailCodeInput, SendEmailCodeInput, VerifyEmailInput } from './inputs/email-code.input.js';
import { SetEmailInput } from './inputs/set-email.input.js';

// The contact-email operations, each declared once for REST, GraphQL, Connect/gRPC and the
// hosted page (spec §7.2). Access rules are spec §3 and §7.1.

type Headers = Record<string, string | string[] | undefined>;

const emailResultToProto = (r: EmailChangeResult) => ({ details: detailsToProto(r.details), verificationCode: r.verificationCode });

/** A write to a user's email: self-service may only mail a code; returning it or marking the address verified needs user.write (§3), and the rank for another user (§7.1). */
const emailWrite = (i: { userId: string; verification: { kind: string } }) =>
  userRule(i.userId, 'user.write', { self: i.verification.kind === 'send', rank: true });

export const SetEmail = defineOperation({
  name: 'SetEmail',
  input: SetEmailInput,
  limit: 'write',
  access: emailWrite,
  fromRest: setEmailFromRest,
  connect: {
    method: 'setEmail',
    fromProto: (m: SetEmailRequest, h: Headers) => ({
      userId: m.userId,
      idempotencyKey: headerOf(h, 'idempotency-key'),
      email: m.email,
      ...verificationFromProto(m.verification),
    }),
    toProto: emailResultToProto,
  },
  service: EmailService,
  execute: (email, call) => email.setEmail(call),
});

export const ResendEmailCode = defineOperation({
  name: 'ResendEmailCode',
  input: ResendEmailCodeInput,
  limit: 'write',
  access: emailWrite,
  fromRest: resendEmailCodeFromRest,
  connect: {
    method: 'resendEmailCode',
    fromProto: (m: ResendEmailCodeRequest, h: Headers) => ({
      userId: m.userId,
      idempotencyKey: headerOf(h, 'idempotency-key'),
      ...verificationFromProto(m.verification),
    }),
    toProto: emailResultToProto,
  },
  service: EmailService,
  execute: (email, call) => email.resendCode(call),
});

export const SendEmailCode = defineOperation({
  name: 'SendEmailCode',
  input: SendEmailCodeInput,
  limit: 'write',
  access: emailWrite,
  fromRest: sendEmailCodeFromRest,
  connect: {
    method: 'sendEmailCode',
    fromProto: (m: SendEmailCodeRequest, h: Headers) => ({
      userId: m.userId,
      idempotencyKey: headerOf(h, 'idempotency-key'),
      ...verificationFromProto(m.verification),
    }),
    toProto: emailResultToProto,
  },
  service: EmailService,
  execute: (email, call) => email.sendCode(call),
});

/** VerifyEmail: the code is the credential (no permission), counted against the verify limit per IP. */
export const VerifyEmail = defineOperation({
  name: 'VerifyEmail',
  input: VerifyEmailInput,
  limit: 'verify',
  access: (i) => ({ kind: 'code', userId: i.userId }),
  fromRest: verifyEmailFromRest,
  connect: {
    method: 'verifyEmail',
    fromProto: (m: VerifyEmailRequest, h: Headers) => ({
      userId: m.userId,
      idempotencyKey: headerOf(h, 'idempotency-key'),
      verificationCode: m.verificationCode,
    }),
    toProto: (r: EmailChangeResult) => ({ details: detailsToProto(r.details) }),
  },
  service: EmailService,
  execute: (email, call) => email.verify(call),
});

/** The hosted page's POST (spec §5): VerifyEmail without a token, the form's fields as input. */
export const VerifyEmailOnPage = defineOperation({
  ...VerifyEmail,
  name: 'VerifyEmail (hosted page)',
  public: true,
  fromRest: undefined,
  connect: undefined,
});
