import { chmodSync, linkSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';

/**
 * Files that hold secrets (the admin PAT, the code key, mails, the SQLite database) are readable
 * by the service's user only (spec §7.8): 0600, whether they are new or were there before.
 */
export const PRIVATE_FILE = 0o600;
export const PRIVATE_DIR = 0o700;

/** A temporary name beside `path`, on the same file system so that rename/link are atomic. */
const tempOf = (path: string) => `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;

/** Writes `data` to a new 0600 file beside `path` and returns its name. */
function writeTemp(path: string, data: string | Buffer): string {
  mkdirSync(dirname(path), { recursive: true });
  const temp = tempOf(path);
  // exclusive create: nobody else's file (or symlink) is written through
  writeFileSync(temp, data, { mode: PRIVATE_FILE, flag: 'wx' });
  return temp;
}

/** Replaces `path` atomically with a 0600 file holding `data` (an older file's mode does not survive). */
export function replacePrivateFile(path: string, data: string | Buffer): void {
  const temp = writeTemp(path, data);
  try {
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}

/**
 * Creates `path` as a 0600 file holding `data` unless it exists: false when another process
 * got there first. The file appears complete or not at all (link of a finished temporary
 * file), so a reader never sees it half-written.
 */
export function createPrivateFileOnce(path: string, data: string | Buffer): boolean {
  const temp = writeTemp(path, data);
  try {
    linkSync(temp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    rmSync(temp, { force: true });
  }
}

/** Sets an existing file to 0600; a missing one is fine. */
export function restrictFile(path: string): void {
  try {
    chmodSync(path, PRIVATE_FILE);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/** Creates the directory if needed and sets it to 0700. */
export function privateDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: PRIVATE_DIR });
  chmodSync(path, PRIVATE_DIR);
}
