import { describe, expect, it } from 'vitest';
import { parseKeyFileName } from '../../src/store/import/file-names.js';

describe('multi-file auth folder names', () => {
  it.each([
    ['pre-key-17.json', 'pre-key', '17'],
    ['session-5215512345678.0.json', 'session', '5215512345678.0'],
    ['session-123456789012345_1.3.json', 'session', '123456789012345_1.3'],
    [
      'sender-key-120363041234567890@g.us--5215512345678--0.json',
      'sender-key',
      '120363041234567890@g.us::5215512345678::0',
    ],
    [
      'sender-key-5215512345678-1600000000@g.us--123456789012345_1--2.json',
      'sender-key',
      '5215512345678-1600000000@g.us::123456789012345_1::2',
    ],
    [
      'sender-key-memory-5215512345678-1600000000@g.us.json',
      'sender-key-memory',
      '5215512345678-1600000000@g.us',
    ],
    ['app-state-sync-key-AAAAAJd__x0=.json', 'app-state-sync-key', 'AAAAAJd/x0='],
    [
      'app-state-sync-version-critical_unblock_low.json',
      'app-state-sync-version',
      'critical_unblock_low',
    ],
    ['lid-mapping-123456789012345_reverse.json', 'lid-mapping', '123456789012345_reverse'],
    ['device-list-5215512345678.json', 'device-list', '5215512345678'],
    ['tctoken-__index.json', 'tctoken', '__index'],
    ['tctoken-5215512345678@s.whatsapp.net.json', 'tctoken', '5215512345678@s.whatsapp.net'],
    ['identity-key-5215512345678.0.json', 'identity-key', '5215512345678.0'],
  ])('reads %s as %s %s', (name, type, id) => {
    expect(parseKeyFileName(name)).toEqual({ type, id });
  });

  it.each([
    ['creds.json'],
    ['.DS_Store'],
    ['pre-key-.json'],
    ['unknown-type-1.json'],
    ['session-1.0.txt'],
    ['sender-key-no-separators.json'],
  ])('does not take %s for a key file', (name) => {
    expect(parseKeyFileName(name)).toBeUndefined();
  });
});
