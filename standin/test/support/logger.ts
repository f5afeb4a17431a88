import type { ILogger } from '@whiskeysockets/baileys/lib/Utils/logger.js';

export interface LogLine {
  readonly level: 'warn' | 'error';
  readonly message: string;
  readonly data: unknown;
}

/** A Baileys logger that keeps its warnings and errors for assertions and prints nothing. */
export interface CapturingLogger extends ILogger {
  readonly lines: LogLine[];
}

export function capturingLogger(lines: LogLine[] = []): CapturingLogger {
  const keep =
    (level: LogLine['level']) =>
    (data: unknown, message?: string): void => {
      lines.push({ level, message: message ?? (typeof data === 'string' ? data : ''), data });
    };
  const logger: CapturingLogger = {
    level: 'warn',
    lines,
    child: () => logger,
    trace: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: keep('warn'),
    error: keep('error'),
  };
  return logger;
}
