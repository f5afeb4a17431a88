/**
 * The benchmark's TLS server, run in a process of its own so the client
 * side being measured does not share its CPU with the server. Sends
 * `{ port, ca }` to its parent once listening; exits when the parent goes.
 */
import { startUpstream } from '../test/support/upstream.js';

const upstream = await startUpstream(['mmg.whatsapp.net', '127.0.0.1']);
process.send?.({ port: upstream.port, ca: upstream.ca });
process.on('disconnect', () => {
  void upstream.close().then(() => process.exit(0));
});
