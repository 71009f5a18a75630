import type { UserEntity } from '../database/entities/user.entity.js';

/**
 * What a mail's payload carries about its user: the organisation and language that choose the
 * texts, and the values of ZITADEL's text variables. The worker resolves and renders the texts
 * at send time (spec §8), so a request pays nothing for them.
 */
export function userMailData(user: UserEntity): Record<string, string> {
  return {
    orgId: user.orgId,
    language: user.preferredLanguage ?? '',
    displayName: user.displayName,
    firstName: user.givenName,
    lastName: user.familyName,
    userName: user.username,
    loginName: user.username,
    preferredLoginName: user.username,
  };
}
