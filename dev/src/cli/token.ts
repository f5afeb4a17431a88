/** `npm run dev:token`: a fresh admin token for the inspection dashboard. */
import { DEV_DEFAULTS } from '../options.js';
import { mintAdminToken } from '../provision.js';
import { openCommand, say } from './command.js';

const USAGE = `usage: npm run dev:token [-- --data DIR]
Prints a new admin token and the inspection dashboard's address with it.`;

const { state, secrets } = await openCommand(USAGE);
const admin = await mintAdminToken(
  state.workerUrl,
  secrets.adminKey,
  DEV_DEFAULTS.adminTokenTtlSeconds,
);
say(admin.token);
say(`${state.pagesUrl}/admin/#token=${admin.token}&room=${state.roomUrl}`);
