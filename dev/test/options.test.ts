import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEV_DEFAULTS, DevOptionError, parseDevOptions, REPO_ROOT } from '../src/options.js';

describe('npm run dev options', () => {
  it('runs wrangler dev on 8787, the worker on 3000 and the pages on 8790 by default', () => {
    expect(parseDevOptions([])).toEqual({
      runtime: 'wrangler',
      dataDir: resolve(REPO_ROOT, '.data/dev'),
      roomPort: 8787,
      workerPort: 3000,
      pagesPort: 8790,
      tenant: 'demo-restaurant',
      verbose: false,
    });
  });

  it('moves the room to partykit dev and its port 1999 with --partykit', () => {
    expect(parseDevOptions(['--partykit'])).toMatchObject({ runtime: 'partykit', roomPort: 1999 });
  });

  it('takes ports, a data folder and a tenant id from flags', () => {
    expect(
      parseDevOptions([
        '--data',
        'elsewhere',
        '--room-port',
        '9001',
        '--worker-port',
        '9002',
        '--pages-port',
        '9003',
        '--tenant',
        'pizzeria-2',
        '--verbose',
      ]),
    ).toEqual({
      runtime: 'wrangler',
      dataDir: resolve('elsewhere'),
      roomPort: 9001,
      workerPort: 9002,
      pagesPort: 9003,
      tenant: 'pizzeria-2',
      verbose: true,
    });
  });

  it('answers --help with no options, so the usage is printed', () => {
    expect(parseDevOptions(['--help'])).toBeNull();
  });

  it.each([
    [['--room-port', 'eighty'], '--room-port'],
    [['--worker-port', '70000'], '--worker-port'],
    [['--pages-port', '0'], '--pages-port'],
    [['--tenant', 'Pizzería'], '--tenant'],
    [['--room-port', '9000', '--pages-port', '9000'], '--room-port'],
    [['--wat'], 'arguments'],
  ])('refuses %j naming %s', (argv, flag) => {
    let caught: unknown;
    try {
      parseDevOptions(argv);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DevOptionError);
    expect((caught as DevOptionError).flag).toBe(flag);
  });

  it('keeps its data under .data/, which git ignores', () => {
    expect(DEV_DEFAULTS.dataDir.startsWith(resolve(REPO_ROOT, '.data'))).toBe(true);
  });
});
