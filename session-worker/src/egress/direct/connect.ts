import dns from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import net from 'node:net';
import tls from 'node:tls';
import { classifyAddress } from '@pasarela/shared';
import { EgressError } from '../errors.js';
import type { CompiledHostMap } from '../host-map.js';
import { asAttributed } from '../owned.js';
import { describeTarget, targetName } from '../target.js';
import type { Target } from '../target.js';

export interface ConnectorOptions {
  readonly hostMap: CompiledHostMap | undefined;
  /** Node's default roots plus the configured CA; undefined for the defaults. */
  readonly secureContext: tls.SecureContext | undefined;
  readonly connectTimeoutMs: number;
}

const kReady = Symbol('pasarela.egress.ready');

type MarkedSocket = net.Socket & { [kReady]?: true };

/** Whether the socket finished connecting (and its TLS handshake). */
export function isReady(socket: net.Socket | null | undefined): boolean {
  return (socket as MarkedSocket | null | undefined)?.[kReady] === true;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * Name lookup that refuses loopback, private, link-local and metadata
 * addresses: a target named by a caller (a media URL, a redirect) must not
 * reach the worker's own network. Checked on the addresses actually used,
 * so a name that changes its answer between checks gains nothing.
 */
function publicOnlyLookup(hostname: string, options: LookupOptions, callback: LookupCallback) {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) {
      callback(error, []);
      return;
    }
    const refused = addresses.find(({ address }) => classifyAddress(address) !== 'public');
    if (refused) {
      const kind = classifyAddress(refused.address);
      callback(
        new EgressError('host_not_allowed', `${hostname} resolves to a ${kind} address`, {
          host: hostname,
        }),
        [],
      );
      return;
    }
    if (options.all) callback(null, addresses);
    else callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}

/**
 * Opens the real connection for a target: to the address the host map
 * gives, or else to the name itself, but always with the real name as the
 * TLS server name and in the certificate check. The connection counts as
 * the egress's own, so the process guards let it pass.
 */
export function openDirect(target: Target, options: ConnectorOptions): net.Socket {
  const name = targetName(target);
  const mapped = options.hostMap?.resolve(name);
  if (!mapped && net.isIP(target.host) !== 0) {
    const kind = classifyAddress(target.host);
    if (kind !== 'public') {
      throw new EgressError('host_not_allowed', `${target.host} is a ${kind} address`, {
        host: target.host,
      });
    }
  }
  const host = mapped?.host ?? target.host;
  const port = mapped?.port ?? target.port;
  const lookup = mapped ? undefined : (publicOnlyLookup as net.LookupFunction);
  const secure = target.protocol === 'https:';
  const socket: MarkedSocket = asAttributed(() =>
    secure
      ? tls.connect({
          host,
          port,
          servername: net.isIP(name) === 0 ? name : undefined,
          secureContext: options.secureContext,
          ALPNProtocols: ['http/1.1'],
          lookup,
        })
      : net.connect({ host, port, lookup }),
  );
  const timer = setTimeout(() => {
    socket.destroy(
      new EgressError(
        'upstream_unreachable',
        `${describeTarget(target)} did not connect within ${options.connectTimeoutMs} ms`,
        { host: name },
      ),
    );
  }, options.connectTimeoutMs);
  timer.unref();
  socket.once(secure ? 'secureConnect' : 'connect', () => {
    clearTimeout(timer);
    socket[kReady] = true;
  });
  socket.once('close', () => clearTimeout(timer));
  return socket;
}
