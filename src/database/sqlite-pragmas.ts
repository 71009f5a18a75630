/**
 * The SQLite connection's settings, run on every connection the service opens; the benchmark's
 * baseline (bench/baseline/server.ts) opens its database with the same list.
 */
export const SQLITE_PRAGMAS = [
  // WAL lets readers run beside the writer
  'journal_mode = WAL',
  // NORMAL is durable in WAL mode except for the last transactions at a power loss
  'synchronous = NORMAL',
  // a second process waits for the write lock instead of failing
  'busy_timeout = 5000',
  'foreign_keys = ON',
  // SQLite's stock page cache of 2 MB. better-sqlite3 builds SQLite with 16 MB, which a busy
  // instance fills within seconds; every statement here is an indexed point lookup or an
  // append, and pages the cache drops are still in the OS page cache
  'cache_size = -2000',
  // the savepoint journals of group commit (UnitOfWork) in memory: a unit of work's journal of the
  // pages it changes passes SQLite's 64 KiB in-memory limit and would spill to a temporary file,
  // a write system call per page
  'temp_store = MEMORY',
] as const;
