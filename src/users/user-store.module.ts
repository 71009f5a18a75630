import { Module } from '@nestjs/common';
import { UserStore } from './user-store.js';
import { UserTargets } from './user-targets.js';

/** The user aggregate's storage, shared by the users, email and auth modules. */
@Module({ providers: [UserStore, UserTargets], exports: [UserStore, UserTargets] })
export class UserStoreModule {}
