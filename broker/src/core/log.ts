import { redactTokens } from '@pasarela/shared';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | null | undefined>;

/** One levelled, structured logger; children carry their context (tenant, connection). */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogSink = (level: LogLevel, line: string) => void;

/**
 * Writes one JSON object per line. Every string passes through
 * `redactTokens`, so a URL or message that carries a token cannot leak it.
 */
export function createLogger(level: LogLevel, sink: LogSink, base: LogFields = {}): Logger {
  const write = (at: LogLevel, message: string, fields: LogFields = {}): void => {
    if (RANK[at] < RANK[level]) return;
    const record: Record<string, unknown> = { level: at, msg: redactTokens(message) };
    for (const [key, value] of Object.entries({ ...base, ...fields })) {
      if (value === undefined) continue;
      record[key] = typeof value === 'string' ? redactTokens(value) : value;
    }
    sink(at, JSON.stringify(record));
  };
  return {
    debug: (message, fields) => write('debug', message, fields),
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
    child: (fields) => createLogger(level, sink, { ...base, ...fields }),
  };
}

/** The sink both runtimes use: their log tail shows console output. */
export const consoleSink: LogSink = (level, line) => {
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
};

/** A logger that drops everything, for tests that do not read logs. */
export const silentLogger: Logger = createLogger('error', () => {});
