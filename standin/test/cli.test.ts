import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ControlClient, type StandinInfo } from '../src/index.js';
import { waitFor } from './support/wait.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The promise: ready well under ten seconds. */
const READY_LIMIT_MS = 10_000;

describe('npm run standin', () => {
  it(
    'prints its addresses and control URL as ' + 'one JSON line, serves, and stops on SIGTERM',
    async () => {
      const started = Date.now();
      const child = spawn('npm', ['run', '--silent', 'standin'], {
        cwd: REPO_ROOT,
        detached: true,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        const lines = createInterface({ input: child.stdout });
        const first = await new Promise<string>((resolve, reject) => {
          lines.once('line', resolve);
          child.once('exit', (code) => reject(new Error(`exited with ${code} before printing`)));
        });
        const readyMs = Date.now() - started;
        console.log(`npm run standin printed its line after ${readyMs} ms`);
        expect(readyMs).toBeLessThan(READY_LIMIT_MS);
        const info = JSON.parse(first) as StandinInfo & { tmpDir: string; readyMs: number };
        expect(Object.keys(info.hostMap).sort()).toEqual([
          '*.whatsapp.com',
          '*.whatsapp.net',
          'media.fstandin-1.fna.whatsapp.net',
          'mmg.whatsapp.net',
          'web.whatsapp.com',
        ]);
        expect(info.plain?.ws).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws\/chat$/);
        expect(info.caPath.startsWith(info.tmpDir)).toBe(true);
        expect(existsSync(info.caPath)).toBe(true);
        const served = await new ControlClient(info.controlUrl).info();
        expect(served.hostMap).toEqual(info.hostMap);

        // The whole process group gets the signal, as from a terminal; npm itself dies of it,
        // while the stand-in closes its listeners and removes its temp folder.
        process.kill(-(child.pid as number), 'SIGTERM');
        await exited;
        await waitFor(() => !existsSync(info.tmpDir), 'the temp folder to be removed');
        const refused = await fetch(info.controlUrl).then(
          () => 'answered',
          () => 'refused',
        );
        expect(refused).toBe('refused');
      } finally {
        if (child.exitCode === null) process.kill(-(child.pid as number), 'SIGKILL');
      }
    },
  );
});
