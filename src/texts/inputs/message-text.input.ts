import { Field, ID, InputType } from '@nestjs/graphql';
import { IsIn, IsOptional } from 'class-validator';
import { invalidArgument } from '../../common/errors/app-error.js';
import { CheckedInput, ProtoMaxBytes, ProtoMessage, ProtoString } from '../../common/request/validation.js';
import { canonicalLanguage } from '../languages.js';
import { checkMessageFields } from '../message-renderer.js';
import { MESSAGE_FIELD_MAX_BYTES, MESSAGE_TYPES, type MessageType } from '../message-types.js';

const TYPE_RULE = { message: `value must be one of ${MESSAGE_TYPES.join(', ')}` };

/**
 * A language of custom texts: a well-formed BCP 47 tag, kept canonical. ZITADEL's errors: an
 * undefined language (`und`) LANG-3M9f2, one it cannot use LANG-lg4DP.
 */
export function textLanguage(requested: string): string {
  if (requested === 'und') throw invalidArgument('LANG-3M9f2', 'Language is undefined');
  const tag = canonicalLanguage(requested);
  if (!tag || tag.length > 10) throw invalidArgument('LANG-lg4DP', 'Language is not supported');
  return tag;
}

/** Which message text: type and language (ZITADEL's Get…/Reset… requests, whose path names the type). */
@InputType({ isAbstract: true })
abstract class MessageTextKey implements CheckedInput {
  @Field(() => String, { description: MESSAGE_TYPES.join(', ') })
  @IsIn(MESSAGE_TYPES as unknown as string[], TYPE_RULE)
  type!: MessageType;

  @Field(() => String, { description: 'BCP 47 language tag, e.g. "de"' })
  @ProtoString(1, 200)
  language!: string;

  checkInput(): void {
    this.language = textLanguage(this.language);
  }
}

@ProtoMessage('GetCustomMessageTextRequest')
@InputType('InstanceMessageTextKeyInput')
export class InstanceMessageTextKey extends MessageTextKey {}

@ProtoMessage('GetCustomMessageTextRequest')
@InputType('OrgMessageTextKeyInput')
export class OrgMessageTextKey extends MessageTextKey {
  @Field(() => ID, { nullable: true, description: "The organisation (x-zitadel-orgid on REST); default: the caller's" })
  @IsOptional()
  @ProtoString(1, 200)
  organizationId?: string;
}

/** ZITADEL's SetCustom…MessageTextRequest / SetDefault…MessageTextRequest: every field, with its size limit. */
@InputType({ isAbstract: true })
abstract class SetMessageText extends MessageTextKey {
  @Field(() => String, { defaultValue: '' })
  @ProtoMaxBytes(MESSAGE_FIELD_MAX_BYTES.title)
  title = '';

  @Field(() => String, { defaultValue: '' })
  @ProtoMaxBytes(MESSAGE_FIELD_MAX_BYTES.preHeader)
  preHeader = '';

  @Field(() => String, { defaultValue: '' })
  @ProtoMaxBytes(MESSAGE_FIELD_MAX_BYTES.subject)
  subject = '';

  @Field(() => String, { defaultValue: '' })
  @ProtoMaxBytes(MESSAGE_FIELD_MAX_BYTES.greeting)
  greeting = '';

  @Field(() => String, { defaultValue: '' })
  @ProtoMaxBytes(MESSAGE_FIELD_MAX_BYTES.text)
  text = '';

  @Field(() => String, { defaultValue: '' })
  @ProtoMaxBytes(MESSAGE_FIELD_MAX_BYTES.buttonText)
  buttonText = '';

  @Field(() => String, { defaultValue: '' })
  @ProtoMaxBytes(MESSAGE_FIELD_MAX_BYTES.footerText)
  footerText = '';

  override checkInput(): void {
    super.checkInput();
    // refused when saved, naming field and position, never at send time
    checkMessageFields(this);
  }
}

@ProtoMessage('SetDefaultMessageTextRequest')
@InputType('SetInstanceMessageTextInput')
export class SetInstanceMessageTextInput extends SetMessageText {}

@ProtoMessage('SetCustomMessageTextRequest')
@InputType('SetOrgMessageTextInput')
export class SetOrgMessageTextInput extends SetMessageText {
  @Field(() => ID, { nullable: true, description: "The organisation (x-zitadel-orgid on REST); default: the caller's" })
  @IsOptional()
  @ProtoString(1, 200)
  organizationId?: string;
}

/** beyond ZITADEL: POST /v2/mail/preview. */
@ProtoMessage('PreviewMailRequest')
@InputType('MailPreviewInput')
export class MailPreviewInput extends OrgMessageTextKey {}
