import QRCode from 'qrcode';
import { SessionError } from './errors.js';

/**
 * A phone number as Baileys' `requestPairingCode` wants it: the international
 * number in digits only (country code first, no `+`). Spaces, dashes, dots
 * and brackets a person types are dropped; anything else is refused.
 */
export function normalisePhone(input: string): string {
  const digits = String(input)
    .trim()
    .replace(/^\+/, '')
    .replace(/[\s().-]/g, '');
  if (!/^[1-9][0-9]{6,14}$/.test(digits)) {
    throw new SessionError('invalid_phone', 'expected 7 to 15 digits, country code first', {
      length: digits.length,
    });
  }
  return digits;
}

export interface QrPngOptions {
  /** Pixels per module (default 8). */
  readonly scale?: number;
  /** Quiet zone in modules (default 2). */
  readonly margin?: number;
}

/** The QR string as a PNG image, as the restaurant's phone scans it from a page. */
export function renderQrPng(qr: string, options: QrPngOptions = {}): Promise<Buffer> {
  return QRCode.toBuffer(qr, {
    type: 'png',
    scale: options.scale ?? 8,
    margin: options.margin ?? 2,
  });
}
