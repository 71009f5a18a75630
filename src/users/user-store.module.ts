import { Module } from '@nestjs/common';
import { UserStore } from './user-store.js';

/** The user aggregate's storage, shared by the users, email and auth modules. */
@Module({ providers: [UserStore], exports: [UserStore] })
export class UserStoreModule {}
