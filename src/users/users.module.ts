import { Module } from '@nestjs/common';
import { ActionQueueModule } from '../actions/action-queue.module.js';
import { UserStore } from './user-store.js';
import { UserTargets } from './user-targets.js';
import { UsersRepository } from './users.repository.js';

/**
 * The user aggregate: the user row, its memberships, IdP links and event log (UsersRepository,
 * which stays in here), the target of an operation loaded and authorised on its locked row
 * (UserTargets), and creating and changing users (UserStore). Every module that acts on a user
 * imports this one; events go to actions' call queue. No routes and no other module of the app:
 * the mail worker loads it (a dead mail is an event of its user) without the API.
 */
@Module({
  imports: [ActionQueueModule],
  providers: [UsersRepository, UserTargets, UserStore],
  exports: [UserTargets, UserStore],
})
export class UsersModule {}
