import { requestInvalid } from '../errors/app-error.js';

/**
 * Helpers for the REST routes' conversion of protojson bodies to input classes: protojson
 * accepts a field under its JSON name (camelCase) or its proto name (snake_case).
 */
export function body(raw: unknown, message: string): Record<string, unknown> {
  if (raw === undefined) return {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw requestInvalid(`invalid ${message}: request body must be a JSON object`);
  return raw as Record<string, unknown>;
}

const snakeNames = new Map<string, string>();
const snake = (name: string): string => {
  let s = snakeNames.get(name);
  if (s === undefined) {
    s = name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    snakeNames.set(name, s);
  }
  return s;
};

/** A field by its camelCase or snake_case name. */
export function field(b: Record<string, unknown>, name: string): unknown {
  const v = b[name];
  return v !== undefined ? v : b[snake(name)];
}

/** A nested message: converted recursively to camelCase keys when it is an object. */
export function message(b: Record<string, unknown>, name: string): unknown {
  const v = field(b, name);
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v ?? undefined;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), x]));
}

/** An empty-message flag such as `returnCode: {}`: present as an object → true. */
export function flag(b: Record<string, unknown>, name: string, parent: string): boolean | undefined {
  const v = field(b, name);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v))
    throw requestInvalid(`invalid ${parent}.${name.charAt(0).toUpperCase()}${name.slice(1)}: value must be an object`);
  return true;
}
