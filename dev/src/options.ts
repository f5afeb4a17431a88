import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isTenantId } from '@pasarela/shared';

/** The repository's root, where `npm run dev` runs. */
export const REPO_ROOT = resolve(import.meta.dirname, '../..');

export type RoomRuntime = 'wrangler' | 'partykit';

/** Every default of the local stack, in one object. */
export const DEV_DEFAULTS = Object.freeze({
  /** Git-ignored (`.data/` in .gitignore): secrets, the worker's SQLite file, room state, logs. */
  dataDir: resolve(REPO_ROOT, '.data/dev'),
  /** `wrangler dev`'s own default port, and `partykit dev`'s. */
  roomPort: { wrangler: 8787, partykit: 1999 } as Readonly<Record<RoomRuntime, number>>,
  workerPort: 3000,
  /** The backend stand-in's default port: pages at http://localhost:8790/... */
  pagesPort: 8790,
  tenant: 'demo-restaurant',
  restaurant: 'Restaurante de prueba',
  /** The simulated customer who writes to the restaurant. */
  contactName: 'Ana',
  /**
   * The local stack moves WhatsApp onto a tab after 5 s of a ready peer
   * instead of the product's 30 s, so a person sees the move while they
   * watch; everything else keeps the product's defaults.
   */
  tunnelSettings: { routes: { healthyForMs: 5_000 }, tokens: { maxTtlSeconds: 86_400 } },
  /** The admin token printed for the inspection dashboard lives a day. */
  adminTokenTtlSeconds: 86_400,
  /** wrangler and partykit bundle the broker before they listen. */
  roomStartMs: 120_000,
  /** tsx compiles the worker, then its store opens and sessions start. */
  workerStartMs: 60_000,
  standinStartMs: 30_000,
  pagesStartMs: 30_000,
  /** SIGTERM first; the group is killed after this. */
  stopGraceMs: 10_000,
});

export interface DevOptions {
  readonly runtime: RoomRuntime;
  readonly dataDir: string;
  readonly roomPort: number;
  readonly workerPort: number;
  readonly pagesPort: number;
  readonly tenant: string;
  /** Relay every process's output to the console, prefixed, besides its log file. */
  readonly verbose: boolean;
}

export const USAGE = `usage: npm run dev -- [--partykit] [--data DIR] [--room-port N]
       [--worker-port N] [--pages-port N] [--tenant ID] [--verbose]

  --partykit      run the room under \`partykit dev\` instead of \`wrangler dev\`
  --data DIR      where secrets, the worker's SQLite file, room state and logs live
                  (default .data/dev)
  --room-port N   the room (default 8787, or 1999 with --partykit)
  --worker-port N the worker's API (default 3000)
  --pages-port N  the restaurant pages and the inspection dashboard (default 8790)
  --tenant ID     the demo restaurant's tenant id (default demo-restaurant)
  --verbose       also print every process's output, prefixed with its name`;

/** A flag that cannot work; `flag` names it. */
export class DevOptionError extends Error {
  override readonly name = 'DevOptionError';
  readonly code = 'bad_option';

  constructor(
    readonly flag: string,
    detail: string,
  ) {
    super(`${flag}: ${detail}`);
  }
}

function port(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 65_535) {
    throw new DevOptionError(flag, `"${value}" is not a port number (1-65535)`);
  }
  return parsed;
}

/** Reads the command line; null when `--help` was asked for. */
export function parseDevOptions(argv: readonly string[]): DevOptions | null {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        partykit: { type: 'boolean', default: false },
        data: { type: 'string' },
        'room-port': { type: 'string' },
        'worker-port': { type: 'string' },
        'pages-port': { type: 'string' },
        tenant: { type: 'string' },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new DevOptionError('arguments', (error as Error).message);
  }
  if (values.help) return null;
  const runtime: RoomRuntime = values.partykit ? 'partykit' : 'wrangler';
  const tenant = values.tenant ?? DEV_DEFAULTS.tenant;
  if (!isTenantId(tenant)) {
    throw new DevOptionError('--tenant', 'use lower-case letters, digits, - and _ (up to 63)');
  }
  const options: DevOptions = {
    runtime,
    dataDir: resolve(values.data ?? DEV_DEFAULTS.dataDir),
    roomPort: port('--room-port', values['room-port'], DEV_DEFAULTS.roomPort[runtime]),
    workerPort: port('--worker-port', values['worker-port'], DEV_DEFAULTS.workerPort),
    pagesPort: port('--pages-port', values['pages-port'], DEV_DEFAULTS.pagesPort),
    tenant,
    verbose: values.verbose,
  };
  const ports = [
    ['--room-port', options.roomPort],
    ['--worker-port', options.workerPort],
    ['--pages-port', options.pagesPort],
  ] as const;
  for (const [flag, value] of ports) {
    if (ports.some(([other, taken]) => other !== flag && taken === value)) {
      throw new DevOptionError(flag, `${value} is given to two parts of the stack`);
    }
  }
  return options;
}
