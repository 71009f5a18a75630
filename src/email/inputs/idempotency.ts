import { Field } from '@nestjs/graphql';
import { IsOptional, IsString, Matches } from 'class-validator';
import { Msg, RuneLength } from '../../common/request/validation.js';

/**
 * beyond ZITADEL: the Idempotency-Key of the email POSTs (REST header, GraphQL input field).
 * Printable ASCII, 1..200 characters.
 */
export const IdempotencyKeyField = (): PropertyDecorator => (target, key) => {
  Field(() => String, {
    nullable: true,
    description: 'Retries with the same key and input return the first response and change nothing (24 h)',
  })(target, key);
  // class-validator checks in the order rules are registered: type, length, then shape
  IsOptional()(target, key);
  IsString({ message: Msg.string })(target, key);
  RuneLength(1, 200)(target, key);
  Matches(/^[\x21-\x7e]+$/, { message: 'value must be printable ASCII without spaces' })(target, key);
};
