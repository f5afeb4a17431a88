import diagnostics from 'node:diagnostics_channel';
import type net from 'node:net';
import { isAttributed } from '../owned.js';
import { judge } from './judge.js';
import type { GuardContext } from './judge.js';

const CHANNEL = 'net.client.socket';

/**
 * Last catch-all, for plain `net.connect` by name. On Node 20 this channel
 * fires for `net.connect` only (not for `tls.connect`, `https.request` or a
 * `ws` wss socket), and before the socket knows its host, so the verdict
 * waits for the name lookup; destroying the socket there stops the connect.
 * Connections by address literal are not seen at all.
 */
export function installCatchAll(context: GuardContext): () => void {
  const onSocket = (message: unknown): void => {
    if (isAttributed()) return;
    const { socket } = message as { socket: net.Socket };
    socket.once(
      'lookup',
      (error: Error | null, _address: string, _family: unknown, host: string) => {
        if (error) return;
        const refusal = judge(context, { source: 'guard:net', host, port: undefined });
        if (refusal) socket.destroy(refusal);
      },
    );
  };
  diagnostics.subscribe(CHANNEL, onSocket);
  return () => {
    diagnostics.unsubscribe(CHANNEL, onSocket);
  };
}
