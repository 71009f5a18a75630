import { Init1795900000000 } from './1795900000000-init.js';

/** Every migration, in order. Listed explicitly: no globbing, the same in src and dist. */
export const MIGRATIONS: Function[] = [Init1795900000000];
