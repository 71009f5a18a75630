/**
 * The events this service records that executions can subscribe to (spec §9), ZITADEL's execution
 * IDs for event conditions, and the request body ZITADEL sends a target for an event.
 */
export const ACTION_EVENT_TYPES = [
  'user.human.added',
  'user.human.email.changed',
  'user.human.email.code.added',
  'user.human.email.verified',
  'user.human.email.verification.failed',
  'user.human.email.change.reverted',
  // beyond ZITADEL: a mail to the user (code or notice) that the outbox gave up on
  'user.human.email.delivery.dead',
] as const;

/** ZITADEL's suffix of a group's execution ID (`event/user.human.email.*`). */
const GROUP_SUFFIX = '.*';

export const isKnownEvent = (type: string): boolean => (ACTION_EVENT_TYPES as readonly string[]).includes(type);

/** A group exists when it is a dot-separated prefix of at least one event type. */
export const isKnownGroup = (group: string): boolean => {
  const g = group.endsWith(GROUP_SUFFIX) ? group.slice(0, -GROUP_SUFFIX.length) : group;
  return g !== '' && ACTION_EVENT_TYPES.some((t) => t.startsWith(`${g}.`));
};

export type EventCondition = { event: string } | { group: string } | { all: true };

/** ZITADEL's execution ID of an event condition. */
export function executionId(c: EventCondition): string {
  if ('event' in c) return `event/${c.event}`;
  if ('group' in c) return `event/${c.group.endsWith(GROUP_SUFFIX) ? c.group : c.group + GROUP_SUFFIX}`;
  return 'event';
}

/** The condition an execution ID stands for (the inverse of executionId). */
export function conditionOf(id: string): EventCondition {
  if (id === 'event') return { all: true };
  const v = id.slice('event/'.length);
  return v.endsWith(GROUP_SUFFIX) ? { group: v.slice(0, -GROUP_SUFFIX.length) } : { event: v };
}

/** The execution IDs an event of `type` triggers, most specific first: the type, each group, all. */
export function executionIdsFor(type: string): string[] {
  const ids = [`event/${type}`];
  const parts = type.split('.');
  for (let n = parts.length - 1; n >= 1; n--) ids.push(`event/${parts.slice(0, n).join('.')}${GROUP_SUFFIX}`);
  ids.push('event');
  return ids;
}

export interface RecordedEvent {
  aggregateId: string;
  resourceOwner: string;
  sequence: number;
  type: string;
  createdAt: Date;
  creator: string;
  payload: Record<string, unknown> | null | undefined;
}

/** Go's time.RFC3339Nano in UTC: fraction without trailing zeros, none at all for whole seconds. */
export function rfc3339Nano(d: Date): string {
  const iso = d.toISOString();
  return iso.replace(/\.(\d+)Z$/, (_, f: string) => {
    const t = f.replace(/0+$/, '');
    return t ? `.${t}Z` : 'Z';
  });
}

/**
 * The event data as ZITADEL's event for the type carries it: HumanAddedEvent's field names, the
 * code event's expiry as a Go duration in nanoseconds. The code itself is never sent (ZITADEL
 * sends it encrypted with its own key; this service keeps only a keyed hash). Events without
 * data have none, and the body then has no `event_payload`, as Go's omitempty leaves it out.
 */
export function zitadelEventData(type: string, payload: Record<string, unknown> | null | undefined): Record<string, unknown> | undefined {
  if (!payload || Object.keys(payload).length === 0) return undefined;
  if (type === 'user.human.added') {
    const { username, givenName, familyName, ...rest } = payload;
    return omitEmpty({ userName: username, firstName: givenName, lastName: familyName, ...rest });
  }
  if (type === 'user.human.email.code.added') {
    const { expirySeconds, urlTemplate, codeReturned } = payload;
    return omitEmpty({
      expiry: typeof expirySeconds === 'number' ? expirySeconds * 1_000_000_000 : undefined,
      urlTemplate,
      codeReturned: codeReturned === true ? true : undefined,
    });
  }
  return payload;
}

function omitEmpty(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null && v !== ''));
}

/** Go's encoding/json escapes these in strings (HTML-safe output); a receiver hashing the bytes sees them so. */
const GO_ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/**
 * The body ZITADEL posts to a target for an event (internal/execution ContextInfoEvent, marshalled
 * by encoding/json): its field order and names, empty fields left out, the event data embedded
 * as JSON. This service has a single instance without an ID, so `instanceID` is left out as an
 * empty one would be.
 */
export function eventBody(e: RecordedEvent): string {
  const body: Record<string, unknown> = {
    aggregateID: e.aggregateId,
    aggregateType: 'user',
    resourceOwner: e.resourceOwner || undefined,
    version: 'v2',
    sequence: e.sequence || undefined,
    event_type: e.type,
    created_at: rfc3339Nano(e.createdAt),
    userID: e.creator || undefined,
    event_payload: zitadelEventData(e.type, e.payload),
  };
  return JSON.stringify(body).replace(/[<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c]!);
}
