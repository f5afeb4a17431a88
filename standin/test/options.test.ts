import { describe, expect, it } from 'vitest';
import { StandinError } from '../src/errors.js';
import { resolveOptions, type StandinOptions } from '../src/options.js';

function badField(options: StandinOptions): unknown {
  try {
    resolveOptions(options);
  } catch (error) {
    if (error instanceof StandinError) return [error.code, error.context.field];
    throw error;
  }
  return 'accepted';
}

describe('start-up options', () => {
  it('fills every field from the defaults', () => {
    const resolved = resolveOptions();
    expect([resolved.tlsHost, resolved.tlsPort, resolved.plainHost]).toEqual([
      '127.0.0.1',
      0,
      '127.0.0.1',
    ]);
    expect(resolved.uploadHosts).toEqual(['media.fstandin-1.fna.whatsapp.net', 'mmg.whatsapp.net']);
  });

  it.each([
    [{ tls: { host: 'localhost' } }, 'tls.host'],
    [{ tls: { port: 70_000 } }, 'tls.port'],
    [{ uploadHosts: ['upload.example.com'] }, 'uploadHosts'],
    [{ uploadHosts: [] }, 'uploadHosts'],
    [{ qr: { refCount: 0 } }, 'qr.refCount'],
    [{ clientRevision: 1.5 }, 'clientRevision'],
  ] as [StandinOptions, string][])('refuses %j naming %s', (options, field) => {
    expect(badField(options)).toEqual(['bad_option', field]);
  });

  it('turns the plain listener off with plain: false', () => {
    expect(resolveOptions({ plain: false }).plainHost).toBeNull();
  });
});
