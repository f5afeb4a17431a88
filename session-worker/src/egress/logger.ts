/**
 * The slice of a pino logger the egress uses. The egress writes nothing by
 * itself: without a logger it stays silent and the audit still counts.
 */
export interface EgressLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

const ignore = (): void => {};

export const SILENT_LOGGER: EgressLogger = Object.freeze({
  debug: ignore,
  info: ignore,
  warn: ignore,
  error: ignore,
});
