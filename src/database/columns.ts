import { ValueTransformer } from 'typeorm';

/**
 * Times are stored as epoch milliseconds in a bigint column: the same type, precision and
 * ordering on SQLite and PostgreSQL (pg returns bigint as a string; this turns it back).
 */
export const epochMs: ValueTransformer = {
  to: (v: Date | null | undefined) => (v == null ? v : v.getTime()),
  from: (v: string | number | null) => (v == null ? null : new Date(Number(v))),
};

/** A bigint counter that fits a JS number (sequences, attempts). */
export const bigintNumber: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | number | null) => (v == null ? null : Number(v)),
};

/** A bigint kept as its decimal text (PostgreSQL returns it so, SQLite as a number): both read alike. */
export const bigintText: ValueTransformer = {
  to: (v: string | null | undefined) => v,
  from: (v: string | number | null) => (v == null ? null : String(v)),
};
