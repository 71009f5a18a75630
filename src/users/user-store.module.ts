import { Module } from '@nestjs/common';
import { ActionQueueModule } from '../actions/action-queue.module.js';
import { UsersRepository } from './users.repository.js';
import { UserStore } from './user-store.js';
import { UserTargets } from './user-targets.js';

/** The user aggregate's storage, shared by the users, email and auth modules; events go to actions' queue. */
@Module({ imports: [ActionQueueModule], providers: [UsersRepository, UserStore, UserTargets], exports: [UserStore, UserTargets] })
export class UserStoreModule {}
