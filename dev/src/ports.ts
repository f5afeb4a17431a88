import { createServer } from 'node:net';

export interface WantedPort {
  readonly flag: string;
  readonly port: number;
  readonly what: string;
}

function tryListen(port: number): Promise<NodeJS.ErrnoException | null> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => done(error));
    server.listen(port, '127.0.0.1', () => server.close(() => done(null)));
  });
}

/**
 * Fails before anything starts when a port the stack needs is taken,
 * naming the part, the port and the flag that moves it.
 */
export async function checkPortsFree(wanted: readonly WantedPort[]): Promise<void> {
  const taken: string[] = [];
  for (const { flag, port, what } of wanted) {
    const error = await tryListen(port);
    if (error) {
      taken.push(
        `port ${port} for ${what} is not free (${error.code ?? error.message}); ` +
          `stop what uses it, or pass ${flag} N`,
      );
    }
  }
  if (taken.length > 0) throw new Error(taken.join('\n'));
}
