import { createHmac } from 'node:crypto';
import { eventBody, executionId, executionIdsFor, isKnownEvent, isKnownGroup, rfc3339Nano, zitadelEventData } from './action-events.js';
import { signatureHeader } from './signing.js';

describe('event routing as ZITADEL’s execution IDs', () => {
  it('an event triggers its own execution, each enclosing group and all', () => {
    expect(executionIdsFor('user.human.email.changed')).toEqual([
      'event/user.human.email.changed',
      'event/user.human.email.*',
      'event/user.human.*',
      'event/user.*',
      'event',
    ]);
    expect(executionId({ group: 'user.human.email' })).toBe('event/user.human.email.*');
    expect(executionId({ group: 'user.human.email.*' })).toBe('event/user.human.email.*');
    expect(executionId({ event: 'user.human.added' })).toBe('event/user.human.added');
    expect(executionId({ all: true })).toBe('event');
  });

  it('knows this service’s events and their groups only', () => {
    expect(isKnownEvent('user.human.email.verified')).toBe(true);
    expect(isKnownEvent('user.human.phone.changed')).toBe(false);
    expect(isKnownGroup('user.human.email')).toBe(true);
    expect(isKnownGroup('user')).toBe(true);
    expect(isKnownGroup('user.human.ema')).toBe(false);
    expect(isKnownGroup('org')).toBe(false);
  });
});

describe('the body ZITADEL sends for an event', () => {
  it('formats times as Go’s RFC3339Nano (no trailing zeros)', () => {
    expect(rfc3339Nano(new Date('2024-06-17T09:46:05.265Z'))).toBe('2024-06-17T09:46:05.265Z');
    expect(rfc3339Nano(new Date('2024-06-17T09:46:05.260Z'))).toBe('2024-06-17T09:46:05.26Z');
    expect(rfc3339Nano(new Date('2024-06-17T09:46:05.000Z'))).toBe('2024-06-17T09:46:05Z');
  });

  it('has ContextInfoEvent’s fields in order, leaves empty ones out and escapes as encoding/json does', () => {
    const body = eventBody({
      aggregateId: '42',
      resourceOwner: '7',
      sequence: 3,
      type: 'user.human.email.changed',
      createdAt: new Date('2024-06-17T09:46:05.265Z'),
      creator: '',
      payload: { email: 'a<b>&c@example.com' },
    });
    expect(body).toBe(
      '{"aggregateID":"42","aggregateType":"user","resourceOwner":"7","version":"v2","sequence":3,"event_type":"user.human.email.changed",' +
        '"created_at":"2024-06-17T09:46:05.265Z","event_payload":{"email":"a\\u003cb\\u003e\\u0026c@example.com"}}',
    );
  });

  it('renames HumanAddedEvent’s fields and never carries a code', () => {
    expect(
      zitadelEventData('user.human.added', { username: 'u', givenName: 'G', familyName: 'F', displayName: 'G F', email: 'e@x' }),
    ).toEqual({
      userName: 'u',
      firstName: 'G',
      lastName: 'F',
      displayName: 'G F',
      email: 'e@x',
    });
    expect(zitadelEventData('user.human.email.code.added', { expirySeconds: 3600, urlTemplate: null, codeReturned: true })).toEqual({
      expiry: 3_600_000_000_000,
      codeReturned: true,
    });
    expect(zitadelEventData('user.human.email.verified', {})).toBeUndefined();
  });
});

describe('signatureHeader', () => {
  it('is t=<unix>,v1=<hex HMAC-SHA256 of "t.body">, one v1 per key', () => {
    const at = new Date(1_700_000_000_123);
    const h = signatureHeader(at, '{"a":1}', 'k1', 'k2');
    const mac = (k: string) => createHmac('sha256', k).update('1700000000.{"a":1}').digest('hex');
    expect(h).toBe(`t=1700000000,v1=${mac('k1')},v1=${mac('k2')}`);
  });
});
