import { Field, GraphQLISODateTime, ObjectType } from '@nestjs/graphql';
import { DetailsType } from '../common/graphql-types.js';
import type { Details } from '../common/details.js';

/** ZITADEL's zitadel.v1.ObjectDetails of a text (REST also shows creationDate). */
export interface TextDetails extends Details {
  creationDate?: Date;
}

@ObjectType('TextDetails', { description: "ZITADEL's ObjectDetails of a message text" })
export class TextDetailsType extends DetailsType {
  @Field(() => GraphQLISODateTime, { nullable: true }) creationDate?: Date;
}

/** ZITADEL's zitadel.text.v1.MessageCustomText. */
@ObjectType('MessageCustomText')
export class MessageTextView {
  @Field(() => TextDetailsType, { nullable: true }) details?: TextDetails;
  @Field() title!: string;
  @Field() preHeader!: string;
  @Field() subject!: string;
  @Field() greeting!: string;
  @Field() text!: string;
  @Field() buttonText!: string;
  @Field() footerText!: string;
  @Field({ description: 'true: no custom text at this level; these are the texts that apply instead' }) isDefault!: boolean;
}

@ObjectType('MessageTextChangePayload')
export class MessageTextChangePayload {
  @Field(() => TextDetailsType) details!: TextDetails;
}

@ObjectType('MailPreview', { description: 'A mail rendered with sample values; nothing is sent' })
export class MailPreviewView {
  @Field() subject!: string;
  @Field() html!: string;
  @Field() text!: string;
  @Field({ description: 'The language of the texts (Content-Language)' }) language!: string;
}
