import type { EntityMetadata, ValueTransformer } from 'typeorm';

type ColumnMetadata = EntityMetadata['columns'][number];

type Convert = (v: unknown) => unknown;

interface MappedColumn {
  property: string;
  column: string;
  /** database value → property value */
  decode: Convert;
  /** property value → the value to bind */
  encode: Convert;
  /** The column's literal default (`default:` in the entity), bound when the property is unset. */
  fallback: unknown;
}

const transformers = (c: ColumnMetadata): ValueTransformer[] => (c.transformer ? ([] as ValueTransformer[]).concat(c.transformer) : []);

/**
 * How TypeORM itself converts the column's values, for the types our entities use: the entity's
 * transformers (src/database/columns.ts), booleans (0/1 on SQLite), simple-array and
 * simple-json. A type not handled here fails at start, not with a wrong value later.
 */
function convertersOf(c: ColumnMetadata): { decode: Convert; encode: Convert } {
  const t = transformers(c);
  if (t.length > 0) {
    return {
      decode: (v) => t.reduceRight((acc, x) => x.from(acc) as unknown, v),
      encode: (v) => t.reduce((acc, x) => x.to(acc) as unknown, v),
    };
  }
  switch (c.type) {
    case 'boolean':
      return { decode: (v) => (v == null ? null : v === true || v === 1 || v === '1' || v === 't'), encode: (v) => v };
    case 'integer':
      return { decode: (v) => (v == null ? null : Number(v)), encode: (v) => v };
    case 'varchar':
    case 'text':
      return { decode: (v) => (v == null ? null : String(v)), encode: (v) => v };
    case 'simple-array':
      return {
        decode: (v) => (v == null || v === '' ? [] : String(v).split(',')),
        encode: (v) => (v == null ? v : (v as unknown[]).join(',')),
      };
    case 'simple-json':
      return {
        decode: (v) => (v == null ? null : (JSON.parse(String(v)) as unknown)),
        encode: (v) => (v == null ? null : JSON.stringify(v)),
      };
    default:
      throw new Error(`${c.entityMetadata.tableName}.${c.databaseName}: column type ${String(c.type)} has no mapping in entity-mapper.ts`);
  }
}

/**
 * An entity's columns, and its rows converted both ways, derived from TypeORM's metadata of the
 * entity: the hand-written SQL of the repositories names columns and maps rows through this, so
 * that the entity (and its migration) is the one description of a table.
 */
export class EntityMapper<T extends object> {
  readonly table: string;
  /** Every column, in the entity's order, comma-separated: `SELECT ${columns} FROM ${table}`. */
  readonly columns: string;
  /** INSERT of every column, `$1…$n` in the order of `values()`. */
  readonly insert: string;
  private readonly all: MappedColumn[];
  private readonly byColumn = new Map<string, MappedColumn>();
  private readonly byProperty = new Map<string, MappedColumn>();
  /** INSERTs of n rows at once, by n. */
  private readonly inserts = new Map<number, string>();

  constructor(
    metadata: EntityMetadata,
    private readonly create: () => T,
  ) {
    this.table = metadata.tableName;
    this.all = metadata.columns.map((c) => ({
      property: c.propertyName,
      column: c.databaseName,
      ...convertersOf(c),
      fallback: ['string', 'number', 'boolean'].includes(typeof c.default) ? c.default : null,
    }));
    for (const c of this.all) {
      this.byColumn.set(c.column, c);
      this.byProperty.set(c.property, c);
    }
    this.columns = this.all.map((c) => c.column).join(', ');
    this.insert = `INSERT INTO ${this.table} (${this.columns}) VALUES (${this.all.map((_, i) => `$${i + 1}`).join(', ')})`;
  }

  /**
   * INSERT of `n` rows in one statement, `$1…$(n × columns)` in the order of `values()` of each
   * row in turn: one round trip for the rows one change appends (PostgreSQL and SQLite alike).
   */
  insertRows(n: number): string {
    if (n === 1) return this.insert;
    let sql = this.inserts.get(n);
    if (!sql) {
      const width = this.all.length;
      const tuples = Array.from({ length: n }, (_, r) => `(${this.all.map((_, i) => `$${r * width + i + 1}`).join(', ')})`);
      sql = `INSERT INTO ${this.table} (${this.columns}) VALUES ${tuples.join(', ')}`;
      this.inserts.set(n, sql);
    }
    return sql;
  }

  /** The column names of these properties (for SQL that names them). */
  column(property: keyof T & string): string {
    return this.mapped(property).column;
  }

  /** The column names of every property, in order. */
  columnList(): string[] {
    return this.all.map((c) => c.column);
  }

  /** An entity from a row; columns the row lacks stay unset (a SELECT or RETURNING of some columns). */
  fromRow(row: Record<string, unknown>): T {
    const e = this.create() as Record<string, unknown>;
    for (const key in row) {
      const c = this.byColumn.get(key);
      if (c) e[c.property] = c.decode(row[key]);
    }
    return e as T;
  }

  /** One property's value from its column's database value. */
  decode<K extends keyof T & string>(property: K, value: unknown): T[K] {
    return this.mapped(property).decode(value) as T[K];
  }

  /** One property's value as it is bound. */
  encode(property: keyof T & string, value: unknown): unknown {
    return this.mapped(property).encode(value);
  }

  /**
   * Every column's value of `entity`, in the order of `columns` and `insert`; unset ones take the
   * column's default, or NULL.
   */
  values(entity: Partial<T>): unknown[] {
    return this.all.map((c) => {
      const v = (entity as Record<string, unknown>)[c.property];
      return v === undefined ? (c.fallback == null ? null : c.encode(c.fallback)) : c.encode(v);
    });
  }

  private mapped(property: string): MappedColumn {
    const c = this.byProperty.get(property);
    if (!c) throw new Error(`${this.table} has no column for property ${property}`);
    return c;
  }
}
