import { invalidArgument } from '../common/errors/app-error.js';

// ZITADEL's domain rule for an email address (domain.EmailAddress.Validate).
const EMAIL =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** The domain check after request validation: refuses e.g. the display-name form "Mini <mini@mouse.com>". */
export function assertValidEmailAddress(email: string): void {
  if (!EMAIL.test(email)) throw invalidArgument('EMAIL-599GV', 'Email is invalid');
}
