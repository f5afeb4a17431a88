import { describe, expect, it } from 'vitest';
import {
  describeNotice,
  describeProtection,
  describeSession,
} from '../../../src/pages/ui/describe.js';
import { DEFAULT_LANGUAGE, pickLanguage, textsFor } from '../../../src/pages/ui/i18n.js';
import { protectionOf } from '../../../src/pages/ui/indicator.js';
import { ALL_DIRECT, input, LEGS_OK, status, UNPROTECTED } from './fixtures.js';

const ES = textsFor('es');
const EN = textsFor('en');

/** Every text of a language, by path, with functions called on a sample argument. */
function leaves(value: unknown, path = ''): [string, string][] {
  if (typeof value === 'string') return [[path, value]];
  if (typeof value === 'function') return [[path, String((value as (x: unknown) => unknown)(2))]];
  if (Array.isArray(value))
    return value.flatMap((item, index) => leaves(item, `${path}[${index}]`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) =>
      leaves(item, path ? `${path}.${key}` : key),
    );
  }
  return [];
}

describe('the pages speak Spanish first, and English', () => {
  it('picks Spanish unless asked otherwise', () => {
    expect(DEFAULT_LANGUAGE).toBe('es');
    expect(pickLanguage(null, null)).toBe('es');
    expect(pickLanguage('fr', 'de')).toBe('es');
  });

  it("takes the page's ?lang= over the browser's choice, and the choice over the default", () => {
    expect(pickLanguage('en', 'es')).toBe('en');
    expect(pickLanguage(null, 'en')).toBe('en');
  });

  it('has every text in both languages, and no English left in the Spanish', () => {
    const spanish = new Map(leaves(ES));
    const english = new Map(leaves(EN));
    expect([...spanish.keys()]).toEqual([...english.keys()]);
    const same = [...spanish]
      .filter(([path, text]) => english.get(path) === text)
      .map(([path]) => path);
    // A brand and a product name read the same in both.
    expect(same).toEqual(['noticeTitle', 'session.title']);
    expect([...spanish.values()].filter((text) => text.trim() === '')).toEqual([]);
  });

  it('words a lost peer for staff, in Spanish', () => {
    const words = describeProtection(
      protectionOf(input({ status: status({ ...UNPROTECTED, routes: ALL_DIRECT, peer: null }) })),
      ES,
    );
    expect(words).toEqual({
      headline: 'Usando el servidor',
      explanation:
        'Ningún navegador del restaurante está llevando WhatsApp. ' +
        'Mientras tanto, WhatsApp sigue funcionando por el servidor, que es menos seguro.',
      flags: [],
      routes: [
        'La conexión principal de WhatsApp: por el servidor',
        'Las fotos y archivos que llegan: por el servidor',
        'Las fotos y archivos que se envían: por el servidor',
      ],
      roundTrip: null,
    });
  });

  it('words a paused browser under tunnel-only, in English', () => {
    const words = describeProtection(
      protectionOf(
        input({
          state: 'paused',
          status: status({
            ...UNPROTECTED,
            policy: 'tunnel-only',
            routes: { websocket: 'none', download: 'none', upload: 'none' },
            peer: null,
          }),
        }),
      ),
      EN,
    );
    expect(words.headline).toBe('Not protected: WhatsApp paused');
    expect(words.flags).toEqual([
      'Paused by staff in this browser.',
      'WhatsApp is paused until a tab is open to carry it.',
    ]);
    expect(words.explanation).toBe('No browser at the restaurant is carrying WhatsApp.');
    expect(words.routes[0]).toBe("WhatsApp's main connection: paused");
  });

  it('says where WhatsApp goes once, when the cause already says it', () => {
    const words = describeProtection(
      protectionOf(
        input({
          legs: { ...LEGS_OK, websocket: { status: 'unavailable' } },
          status: status({ ...UNPROTECTED, routes: { ...status().routes, websocket: 'direct' } }),
        }),
      ),
      EN,
    );
    expect(words.explanation).toBe(
      'This browser cannot carry one part of WhatsApp; that part goes through the server.',
    );
    expect(words.flags).toEqual(["This browser cannot carry: WhatsApp's main connection."]);
  });

  it('claims nothing about the route for a browser that does not relay', () => {
    const words = describeProtection(
      protectionOf(input({ joined: false, link: null, state: null, legs: null, status: null })),
      ES,
    );
    expect(words.headline).toBe('Este navegador no protege');
    expect(words.explanation).toBe(
      'Este navegador todavía no lleva el tráfico de WhatsApp del restaurante.',
    );
  });

  it('words the protected state with its round trip', () => {
    const words = describeProtection(protectionOf(input()), ES);
    expect(words.headline).toBe('Protegido');
    expect(words.explanation).toBe('WhatsApp sale por la conexión a internet del restaurante.');
    expect(words.roundTrip).toBe('Tiempo de respuesta: 40 ms');
  });

  it('words the notices staff asked for', () => {
    expect(describeNotice({ kind: 'protection-off' }, ES)).toBe(
      'Protección desactivada, pero WhatsApp sigue funcionando.',
    );
    expect(describeNotice({ kind: 'protection-restored' }, ES)).toBe('Protección restablecida.');
    expect(describeNotice({ kind: 'protection-off' }, EN)).toBe(
      'Protection is off, but WhatsApp keeps working.',
    );
    expect(describeNotice({ kind: 'protection-restored' }, EN)).toBe('Protection restored.');
    expect(describeNotice({ kind: 'leak', leaks: 1 }, ES)).toBe(
      'Aviso: tráfico de WhatsApp salió por el servidor (1 vez). WhatsApp sigue funcionando.',
    );
    expect(describeNotice({ kind: 'leg', legs: ['websocket', 'upload'] }, EN)).toBe(
      "This browser cannot carry WhatsApp's main connection, outgoing photos and files; " +
        'that part goes through the server. WhatsApp keeps working.',
    );
  });

  it('words the session state, and an unknown one as it is', () => {
    expect(describeSession('qr', ES)).toBe('Falta vincular el teléfono');
    expect(describeSession('connected', EN)).toBe('Connected');
    expect(describeSession('hibernating', EN)).toBe('State: hibernating');
    expect(describeSession(null, ES)).toBe('Sin noticias todavía');
  });
});
