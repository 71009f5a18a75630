import { requestInvalid } from '../common/errors/app-error.js';
import { body, field, message } from '../common/request/rest-body.js';
import { TARGET_TYPES } from './actions.inputs.js';

// The REST API layer: ZITADEL's ActionService JSON bodies (protojson) → the plain input shapes.
// Connect calls reach these too, through the JSON form of their messages.

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);

/** The target-type oneof: which of restWebhook, restCall, restAsync is set, and its interruptOnError. */
function targetType(b: Obj, proto: string): { targetType?: string; interruptOnError?: unknown } {
  const set = TARGET_TYPES.filter((t) => field(b, t) !== undefined && field(b, t) !== null);
  if (set.length > 1) throw requestInvalid(`invalid ${proto}: only one of restWebhook, restCall and restAsync may be set`);
  if (set.length === 0) return {};
  const v = message(b, set[0]!);
  if (v !== undefined && !obj(v))
    throw requestInvalid(`invalid ${proto}.${set[0]![0]!.toUpperCase()}${set[0]!.slice(1)}: value must be an object`);
  return { targetType: set[0], interruptOnError: obj(v)?.interruptOnError };
}

export const createTargetFromRest = (_p: Obj, raw: unknown) => {
  const b = body(raw, 'CreateTargetRequest');
  return {
    name: field(b, 'name') ?? '',
    endpoint: field(b, 'endpoint') ?? '',
    timeout: field(b, 'timeout') ?? undefined,
    ...targetType(b, 'CreateTargetRequest'),
  };
};

export const updateTargetFromRest = (p: Record<string, string>, raw: unknown) => {
  const b = body(raw, 'UpdateTargetRequest');
  return {
    id: p.id,
    name: field(b, 'name') ?? undefined,
    endpoint: field(b, 'endpoint') ?? undefined,
    timeout: field(b, 'timeout') ?? undefined,
    expirationSigningKey: field(b, 'expirationSigningKey') ?? undefined,
    ...targetType(b, 'UpdateTargetRequest'),
  };
};

export const targetIdFromRest = (p: Record<string, string>) => ({ id: p.id });

function pagination(b: Obj): { offset?: number; limit?: number; asc?: boolean } {
  const p = obj(message(b, 'pagination'));
  if (!p) return {};
  const offset = p.offset === undefined ? undefined : typeof p.offset === 'string' && /^\d+$/.test(p.offset) ? Number(p.offset) : p.offset;
  return { offset: offset as number | undefined, limit: p.limit as number | undefined, asc: p.asc as boolean | undefined };
}

const filters = (b: Obj): Obj[] => {
  const f = field(b, 'filters');
  return Array.isArray(f) ? f.map((x) => obj(x) ?? {}) : [];
};

export const listTargetsFromRest = (_p: Obj, raw: unknown) => {
  const b = body(raw, 'ListTargetsRequest');
  const out: Obj = pagination(b);
  for (const f of filters(b)) {
    const name = obj(message(f, 'targetNameFilter'));
    if (name) out.targetName = name.targetName ?? '';
    const ids = obj(message(f, 'inTargetIdsFilter'));
    if (ids) out.targetIds = ids.targetIds ?? [];
  }
  return out;
};

export const listExecutionsFromRest = (_p: Obj, raw: unknown) => {
  const b = body(raw, 'ListExecutionsRequest');
  const out: Obj = pagination(b);
  for (const f of filters(b)) {
    const t = obj(message(f, 'targetFilter'));
    if (t) out.targetId = t.targetId;
  }
  return out;
};

/** ZITADEL's Condition: request, response, function or event {event | group | all}. */
export function conditionFromJson(raw: unknown): unknown {
  const c = obj(raw);
  if (!c) return raw;
  for (const kind of ['request', 'response', 'function'] as const)
    if (field(c, kind) !== undefined && field(c, kind) !== null) return { unsupported: kind };
  const e = obj(message(c, 'event'));
  if (!e) return {};
  return { event: e.event ?? undefined, group: e.group ?? undefined, all: e.all ?? undefined };
}

export const setExecutionFromRest = (_p: Obj, raw: unknown) => {
  const b = body(raw, 'SetExecutionRequest');
  return { condition: conditionFromJson(field(b, 'condition')), targets: field(b, 'targets') ?? [] };
};

export const listDeliveriesFromRest = (_p: Obj, _b: unknown, _h: unknown, query: Obj) => ({ state: query.state, targetId: query.targetId });
