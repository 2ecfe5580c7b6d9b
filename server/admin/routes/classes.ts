// Classes (classroom): make, list, new passwords for slips, reset at the end of term, delete.
import { ApiError, type Handlers } from '../router.js';
import type { AdminState } from '../state.js';

function requireClass(state: AdminState, name: string): string {
  if (!state.classes.has(name)) throw new ApiError(404, `no such class: ${name}`);
  return name;
}

export const classRoutes = {
  'GET /api/classes': ({ state }) => ({ classes: state.classes.list(), limit: state.context.settings().limits.accountsPerClass }),
  'POST /api/classes': async ({ state, body: { name, ...options } }) => ({ name: name.trim(), accounts: await state.classes.create(name, options) }),
  'POST /api/classes/import': async ({ state, body: { name, csv, quotaBytes } }) => ({ name: name.trim(), accounts: await state.classes.importCsv(name, csv, { quotaBytes }) }),
  'POST /api/classes/:name/slips': async ({ state, params }) => ({ name: params.name, accounts: await state.classes.newPasswords(requireClass(state, params.name)) }),
  'POST /api/classes/:name/reset': async ({ state, params }) => {
    const { accounts, messagesRemoved } = await state.classes.reset(requireClass(state, params.name));
    state.context.log.info('admin', `class ${params.name} reset: ${messagesRemoved} messages removed, ${accounts.length} new passwords`);
    return { name: params.name, accounts, messagesRemoved };
  },
  'DELETE /api/classes/:name': ({ state, params }) => {
    const { deleted } = state.classes.delete(requireClass(state, params.name));
    state.context.log.info('admin', `class ${params.name} deleted with its ${deleted.length} accounts (their mail kept aside)`);
    return { deleted };
  },
} satisfies Partial<Handlers>;
