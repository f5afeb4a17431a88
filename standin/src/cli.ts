import { parseArgs } from 'node:util';
import { StandinError } from './errors.js';
import type { StandinOptions } from './options.js';
import { quietLibsignal } from './signal/chatter.js';
import { startStandin } from './standin.js';

const USAGE = `usage: npm run standin -- [--tls-host IP] [--tls-port N] [--plain-host IP]
  [--plain-port N] [--no-plain] [--control-host IP] [--control-port N]
Each flag may also come from the environment: STANDIN_TLS_HOST, STANDIN_TLS_PORT, ...`;

function port(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) {
    throw new StandinError('bad_option', `${flag} must be a port number`, { field: flag });
  }
  return parsed;
}

function optionsFrom(argv: string[], env: NodeJS.ProcessEnv): StandinOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      'tls-host': { type: 'string', default: env.STANDIN_TLS_HOST },
      'tls-port': { type: 'string', default: env.STANDIN_TLS_PORT },
      'plain-host': { type: 'string', default: env.STANDIN_PLAIN_HOST },
      'plain-port': { type: 'string', default: env.STANDIN_PLAIN_PORT },
      'no-plain': { type: 'boolean', default: env.STANDIN_NO_PLAIN === '1' },
      'control-host': { type: 'string', default: env.STANDIN_CONTROL_HOST },
      'control-port': { type: 'string', default: env.STANDIN_CONTROL_PORT },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const pick = <T>(value: T | undefined) => (value === undefined ? {} : value);
  return {
    tls: { ...pick({ host: values['tls-host'] }), port: port('--tls-port', values['tls-port']) },
    plain: values['no-plain']
      ? false
      : { host: values['plain-host'], port: port('--plain-port', values['plain-port']) },
    control: {
      host: values['control-host'],
      port: port('--control-port', values['control-port']),
    },
  };
}

/**
 * `npm run standin`: starts the stand-in and prints one JSON line with its
 * addresses, control URL and CA path, then runs until SIGINT or SIGTERM.
 */
async function main(): Promise<void> {
  const started = Date.now();
  quietLibsignal();
  const standin = await startStandin(optionsFrom(process.argv.slice(2), process.env));
  const { control: _client, caPem: _pem, noiseRootPublicKey: _root, close, ...info } = standin;
  process.stdout.write(`${JSON.stringify({ ...info, readyMs: Date.now() - started })}\n`);
  const stop = (): void => {
    void close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`standin: ${message}\n`);
  process.exit(1);
});
