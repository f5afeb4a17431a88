import { afterAll, beforeAll, describe } from 'vitest';
import { describeBehaviour } from '../behaviour/suite.js';
import { devOnlyBehaviour } from './dev-only.js';
import { devTarget, START_TIMEOUT_MS } from './target.js';

const target = devTarget('wrangler');

describe('broker under wrangler dev', () => {
  beforeAll(async () => {
    const ms = await target.server.start();
    console.log(`[wrangler dev] answered /health ${ms} ms after spawn`);
  }, START_TIMEOUT_MS);
  afterAll(() => target.server.dispose(), START_TIMEOUT_MS);

  describeBehaviour(() => target, 'workers');
  devOnlyBehaviour(() => target);
});
