import { initAuthCreds, type AuthenticationCreds } from '@whiskeysockets/baileys';
import { randomBytes } from 'node:crypto';

/** Fresh creds as Baileys makes them, then marked paired the way pair-success does. */
export function pairedCreds(phone = '5215512345678'): AuthenticationCreds {
  const creds = initAuthCreds();
  creds.me = {
    id: `${phone}:7@s.whatsapp.net`,
    name: 'Taqueria Norte',
    lid: '123456789012345:7@lid',
  };
  creds.account = {
    details: randomBytes(40),
    accountSignatureKey: randomBytes(32),
    accountSignature: randomBytes(64),
    deviceSignature: randomBytes(64),
  };
  creds.platform = 'android';
  return creds;
}
