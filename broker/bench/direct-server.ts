import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

/**
 * The baseline server, run as a process of its own so it does not share the
 * clients' event loop (the relays run in workerd, another process too).
 * `/sink?bytes=N` answers one byte once N bytes arrived; `/echo` sends each
 * message straight back. Prints its port, then serves until killed.
 */
const server = createServer();
const sockets = new WebSocketServer({ server, perMessageDeflate: false });
sockets.on('connection', (socket, request) => {
  const url = new URL(request.url ?? '/', 'http://loopback');
  if (url.pathname === '/echo') {
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
    return;
  }
  const expected = Number(url.searchParams.get('bytes'));
  let received = 0;
  socket.on('message', (data: Buffer) => {
    received += data.byteLength;
    if (received >= expected) socket.send(new Uint8Array([1]));
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
