import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, IsString, registerDecorator, ValidationError, ValidationOptions, validateSync } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata.js';
import { requestInvalid } from '../errors/app-error.js';
import { isPgvEmail } from './pgv-email.js';

const PROTO_NAME = Symbol('protoName');

/** Names the protobuf message an input class stands for, as ZITADEL's validation messages do. */
export const ProtoMessage =
  (name: string): ClassDecorator =>
  (target) => {
    Reflect.defineMetadata(PROTO_NAME, name, target);
  };

const protoName = (target: object): string =>
  (Reflect.getMetadata(PROTO_NAME, target.constructor) as string | undefined) ?? target.constructor.name;
const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

// ZITADEL's request validation (protoc-gen-validate) messages.
export const Msg = {
  string: 'value must be a string',
  bool: 'value must be a boolean',
  object: 'value must be an object',
  runes: (min: number, max: number) => `value length must be between ${min} and ${max} runes, inclusive`,
  email: 'value must be a valid email address',
  mustBeTrue: 'value must equal true',
};

/** Length in Unicode code points, as Go counts runes. */
export function RuneLength(min: number, max: number, options?: ValidationOptions): PropertyDecorator {
  return (object, propertyName) =>
    registerDecorator({
      name: 'runeLength',
      target: object.constructor,
      propertyName: propertyName as string,
      options: { message: Msg.runes(min, max), ...options },
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'string') return false;
          let n = 0;
          for (const _ of value) if (++n > max) return false;
          return n >= min;
        },
      },
    });
}

/** A string field with ZITADEL's length rule: the type is checked first, then the length in runes. */
export function ProtoString(min: number, max: number): PropertyDecorator {
  return (target, key) => {
    // class-validator runs rules in the order they are registered
    IsString({ message: Msg.string })(target, key);
    RuneLength(min, max)(target, key);
  };
}

export { isPgvEmail };

export function IsPgvEmail(options?: ValidationOptions): PropertyDecorator {
  return (object, propertyName) =>
    registerDecorator({
      name: 'pgvEmail',
      target: object.constructor,
      propertyName: propertyName as string,
      options: { message: Msg.email, ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && isPgvEmail(value) },
    });
}

/** Checks that need more than the input itself; provided by the domain modules. */
export interface InputChecks {
  /** Step 1 of spec §1: a caller's URL template must parse and render. */
  urlTemplate(template: string): void;
}
export const INPUT_CHECKS = Symbol('INPUT_CHECKS');

/** Cross-field rules of an input (oneof groups, URL templates), run after the field rules pass. */
export interface CheckedInput {
  checkInput(checks: InputChecks): void;
}

function firstMessage(error: ValidationError): string {
  let field = `${protoName(error.target ?? {})}.${pascal(error.property)}`;
  let child = error.children?.[0];
  // a repeated message field: the element's index, then the element's own first violation
  if (child && Array.isArray(error.value) && /^\d+$/.test(child.property)) {
    field += `[${child.property}]`;
    child = child.children?.[0];
  }
  if (child) return `invalid ${field}: embedded message failed validation | caused by: ${firstMessage(child)}`;
  const constraint = Object.values(error.constraints ?? {})[0] ?? 'value is invalid';
  return `invalid ${field}: ${constraint}`;
}

/**
 * Turns a plain object into the input class and applies its rules, answering the first
 * violation as ZITADEL does: `invalid SetEmailRequest.Email: value must be a valid email address`.
 */
/** Deeper than any input of this API; keeps hostile nesting away from the recursive mappers. */
const MAX_DEPTH = 16;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
// with the u flag a paired surrogate is one astral code point; only a lone half is \p{Cs}
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * A clean copy of a request value: own keys only, no prototype-polluting keys, bounded
 * nesting, and strings that PostgreSQL can store and that are well-formed UTF-16 (no NUL, no
 * lone surrogates). Throws the client's 400 otherwise.
 */
function sanitize(value: unknown, message: string, depth = 0): unknown {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) throw requestInvalid(`invalid ${message}: strings must not contain NUL characters`);
    if (LONE_SURROGATE.test(value)) throw requestInvalid(`invalid ${message}: strings must be valid UTF-8`);
    return value;
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) throw requestInvalid(`invalid ${message}: request is nested too deeply`);
  if (value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((v) => sanitize(v, message, depth + 1));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) continue;
    out[key] = sanitize((value as Record<string, unknown>)[key], message, depth + 1);
  }
  return out;
}

/**
 * class-validator works out a class's rules again on every validate call: it filters its whole
 * metadata store and walks every registered class for inherited rules, then groups the result
 * by property — among the largest allocation sites of a request. The rules are fixed once the classes
 * are loaded, so each lookup is kept per class and arguments, and the grouping per result; a
 * rule registered later (a lazily loaded class) clears the kept lookups.
 */
function cacheRuleLookups(): void {
  type Lookup = (target: Function, schema?: string, always?: boolean, strictGroups?: boolean, groups?: string[]) => ValidationMetadata[];
  const storage = getMetadataStorage() as unknown as {
    getTargetValidationMetadatas: Lookup;
    groupByPropertyName(metadata: ValidationMetadata[]): Record<string, ValidationMetadata[]>;
    addValidationMetadata(metadata: ValidationMetadata): void;
  };
  const lookup = storage.getTargetValidationMetadatas.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  const add = storage.addValidationMetadata.bind(storage);
  let lookups = new Map<Function, Map<string, ValidationMetadata[]>>();
  const groupings = new WeakMap<ValidationMetadata[], Record<string, ValidationMetadata[]>>();
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const key = `${schema ?? ''}|${always ? 1 : 0}|${strictGroups ? 1 : 0}|${groups?.join(',') ?? ''}`;
    let byKey = lookups.get(target);
    if (!byKey) lookups.set(target, (byKey = new Map()));
    let rules = byKey.get(key);
    if (!rules) byKey.set(key, (rules = lookup(target, schema, always, strictGroups, groups)));
    return rules;
  };
  storage.groupByPropertyName = (metadata) => {
    let grouped = groupings.get(metadata);
    if (!grouped) groupings.set(metadata, (grouped = group(metadata)));
    return grouped;
  };
  storage.addValidationMetadata = (metadata) => {
    lookups = new Map();
    add(metadata);
  };
}
cacheRuleLookups();

/** The declared (validated) properties of an input class: anything else is ignored, as protojson does. */
const declared = new WeakMap<Function, Set<string>>();
function declaredProperties(cls: Function): Set<string> {
  let props = declared.get(cls);
  if (!props) {
    props = new Set(
      getMetadataStorage()
        .getTargetValidationMetadatas(cls, '', true, false)
        .map((m) => m.propertyName),
    );
    declared.set(cls, props);
  }
  return props;
}

/**
 * Turns a plain object into the input class and applies its rules, answering the first
 * violation as ZITADEL does: `invalid SetEmailRequest.Email: value must be a valid email address`.
 */
export function validateInput<T extends object>(cls: new () => T, plain: unknown, checks: InputChecks): T {
  const message = protoName(cls.prototype as object);
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) {
    throw requestInvalid(`invalid ${message}: request body must be a JSON object`);
  }
  const props = declaredProperties(cls);
  const known: Record<string, unknown> = {};
  for (const key of Object.keys(plain)) if (props.has(key)) known[key] = sanitize((plain as Record<string, unknown>)[key], message);
  const instance = plainToInstance(cls, known, { enableImplicitConversion: false, exposeDefaultValues: false });
  const errors = validateSync(instance, { stopAtFirstError: true, forbidUnknownValues: false, validationError: { target: true } });
  if (errors.length) throw requestInvalid(firstMessage(errors[0]!));
  const checked = instance as Partial<CheckedInput>;
  if (typeof checked.checkInput === 'function') checked.checkInput(checks);
  return instance;
}
