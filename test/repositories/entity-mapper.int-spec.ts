import { bigintNumber, bigintText, epochMs } from '../../src/database/columns.js';
import { EntityMapper } from '../../src/database/entity-mapper.js';
import { ENTITIES } from '../../src/database/entities/index.js';
import { TEST_DB } from '../support/database.js';
import { useDataLayer } from '../support/repositories.js';

type Ctor = new () => object;

/**
 * A full row of the entity, every column set to a value of its type, different per `n`: what
 * each repository writes and reads through the mapper.
 */
function sample(meta: { columns: { propertyName: string; type: unknown; length: string; transformer?: unknown }[] }, n: number) {
  const e: Record<string, unknown> = {};
  meta.columns.forEach((c, k) => {
    if (c.transformer === epochMs) e[c.propertyName] = new Date(1_700_000_000_000 + n * 1000 + k);
    else if (c.transformer === bigintNumber) e[c.propertyName] = 9_007_199_254_000 + n * 10 + k;
    else if (c.transformer === bigintText) e[c.propertyName] = String(9_007_199_254_000 + n * 10 + k);
    else if (c.type === 'boolean') e[c.propertyName] = n % 2 === 0;
    else if (c.type === 'integer') e[c.propertyName] = 3 + n;
    else if (c.type === 'simple-array') e[c.propertyName] = ['ORG_OWNER', `ROLE_${n}`];
    else if (c.type === 'simple-json') e[c.propertyName] = { email: `a${n}@example.com`, list: [1, 'two'], nested: { ok: true } };
    else e[c.propertyName] = `${c.propertyName}-${n}`.slice(0, Number(c.length) || 200);
  });
  return e;
}

/**
 * The repositories' hand-written SQL names columns and maps rows through EntityMapper, which
 * derives both from the entities: this holds the mapping to TypeORM's own reading and writing
 * of every entity, so a column, type or transformer added to an entity cannot drift from it.
 */
describe(`EntityMapper agrees with TypeORM on every entity (${TEST_DB})`, () => {
  const t = useDataLayer();

  it.each(ENTITIES.map((e) => [e.name, e] as [string, Ctor]))('%s: mapper writes, TypeORM reads, and back', async (_name, entity) => {
    const meta = t.ds.getMetadata(entity);
    const mapper = t.sql.mapper(entity);
    expect(mapper.table).toBe(meta.tableName);
    expect(mapper.columnList()).toEqual(meta.columns.map((c) => c.databaseName));

    // written by the mapper's INSERT, read by TypeORM
    const a = sample(meta, 1);
    await t.uow.run((em) => t.sql.run(em, mapper.insert, mapper.values(a)));
    const where = Object.fromEntries(meta.primaryColumns.map((c) => [c.propertyName, a[c.propertyName]]));
    expect({ ...(await t.ds.getRepository(entity).findOneByOrFail(where)) }).toEqual(a);

    // written by TypeORM, read through the mapper
    const b = sample(meta, 2);
    await t.ds.getRepository(entity).insert(b);
    const pk = meta.primaryColumns.map((c, i) => `${c.databaseName} = $${i + 1}`).join(' AND ');
    const row = await t.sql.one(
      null,
      `SELECT ${mapper.columns} FROM ${mapper.table} WHERE ${pk}`,
      meta.primaryColumns.map((c) => mapper.encode(c.propertyName as never, b[c.propertyName])),
    );
    expect(row).not.toBeNull();
    const read = mapper.fromRow(row!);
    expect(read).toBeInstanceOf(entity);
    expect({ ...read }).toEqual(b);
  });

  it('refuses a column type it has no conversion for, at start', () => {
    const meta = t.ds.getMetadata(ENTITIES[0]!);
    const odd = { ...meta, columns: [{ ...meta.columns[0]!, type: 'json', transformer: undefined, entityMetadata: meta }] };
    expect(() => new EntityMapper(odd as unknown as typeof meta, () => ({}))).toThrow(/column type json has no mapping/);
  });
});
