import { syncBuiltinESMExports } from 'node:module';
import tls from 'node:tls';
import { asAttributed, isAttributed } from '../owned.js';
import { judge } from './judge.js';
import type { GuardContext, GuardedConnection } from './judge.js';

type TlsConnect = typeof tls.connect;

/** The host, server name and port of any of `tls.connect`'s call forms. */
export function tlsConnectTarget(args: readonly unknown[]): Omit<GuardedConnection, 'source'> {
  const [first, second, third] = args;
  if (typeof first === 'object' && first !== null) {
    const options = first as tls.ConnectionOptions;
    return {
      host: options.host ?? (options.path || options.socket ? undefined : 'localhost'),
      servername: options.servername,
      port: options.port,
    };
  }
  const isPort = typeof first === 'number' || (typeof first === 'string' && /^[0-9]+$/.test(first));
  const host = isPort && typeof second === 'string' ? second : undefined;
  const rest = isPort && typeof second === 'string' ? third : second;
  const options =
    typeof rest === 'object' && rest !== null ? (rest as tls.ConnectionOptions) : undefined;
  return {
    host: isPort ? (host ?? options?.host ?? 'localhost') : undefined,
    servername: options?.servername,
    port: isPort ? (first as number | string) : undefined,
  };
}

/**
 * Wraps `tls.connect`. Node 20 publishes nothing on diagnostics channels
 * for TLS connections, and `ws` opens a `wss:` socket given no agent with
 * `tls.connect` directly, so a Baileys socket built without the tenant's
 * agent would pass every other guard. ESM named imports of `node:tls` are
 * re-bound with `syncBuiltinESMExports`.
 */
export function installTlsGuard(context: GuardContext): () => void {
  const original = tls.connect;
  const guarded = function connect(...args: unknown[]) {
    const call = () => (original as (...a: unknown[]) => tls.TLSSocket).apply(tls, args);
    if (isAttributed()) return call();
    const refusal = judge(context, { source: 'guard:tls', ...tlsConnectTarget(args) });
    if (!refusal) return asAttributed(call);
    // A socket that never connects and fails with the refusal once the
    // caller has had its turn to listen for 'error'.
    const socket = new tls.TLSSocket(undefined as never);
    process.nextTick(() => socket.destroy(refusal));
    return socket;
  } as TlsConnect;
  const exports = tls as { connect: TlsConnect };
  exports.connect = guarded;
  syncBuiltinESMExports();
  return () => {
    if (exports.connect !== guarded) return;
    exports.connect = original;
    syncBuiltinESMExports();
  };
}
