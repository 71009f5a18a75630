import { Field } from '@nestjs/graphql';
import { IsOptional } from 'class-validator';
import { invalidArgument } from '../../common/errors/app-error.js';
import { ProtoMaxRunes } from '../../common/request/validation.js';
import { canonicalLanguage } from '../../texts/languages.js';

// A user's language, ZITADEL's `profile.preferredLanguage`: one declaration for every input that
// sets it (AddHumanUser, UpdateUser) and one rule for what is stored.

/** The input field: a string of at most 10 runes (ZITADEL's proto rule), optional. */
export function PreferredLanguageField(): PropertyDecorator {
  return (target, key) => {
    Field(() => String, { nullable: true, description: 'BCP 47 language tag (e.g. "de", "pt-BR"); mails and links use it' })(target, key);
    IsOptional()(target, key);
    ProtoMaxRunes(10)(target, key);
  };
}

/** What ZITADEL shows for a user without a language (Go's language.Und). */
export const UNDEFINED_LANGUAGE = 'und';

/**
 * The stored form of a requested language: canonical BCP 47 (`de-ch` → `de-CH`), '' for none
 * (absent, empty or `und`). A tag that is not well-formed is refused as ZITADEL refuses a
 * language it cannot use (LANG-lg4DP).
 */
export function storedLanguage(requested: string | undefined): string {
  if (!requested || requested === UNDEFINED_LANGUAGE) return '';
  const tag = canonicalLanguage(requested);
  if (!tag || tag.length > 10) throw invalidArgument('LANG-lg4DP', 'Language is not supported');
  return tag;
}

/** The language as GetUserByID shows it. */
export const shownLanguage = (stored: string): string => stored || UNDEFINED_LANGUAGE;
