import { Errors, internal, resourceExhausted } from '../common/errors/app-error.js';
import { pageFailure } from './verify-page.js';

describe('pageFailure: the hosted page’s rendering of a mapped error', () => {
  it('says the same for every client mistake, so that the page tells nothing', () => {
    const wrongCode = pageFailure(Errors.userNotFound());
    expect(wrongCode).toEqual({ status: 400, message: 'This code is invalid or has expired. Request a new code and try again.' });
    expect(pageFailure(Errors.permissionDenied())).toEqual(wrongCode);
  });

  it('answers 429 to too many attempts', () => {
    expect(pageFailure(resourceExhausted('EMAIL-c00lD', 'Too many codes', 30)).status).toBe(429);
  });

  it('shows an unexpected error’s incident ID with a 500', () => {
    expect(pageFailure(internal('INTERNAL-0123456789'))).toEqual({
      status: 500,
      message: 'The code could not be checked right now. Try again later (INTERNAL-0123456789).',
    });
  });
});
