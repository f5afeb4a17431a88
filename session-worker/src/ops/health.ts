/**
 * Readiness: the worker answers `/readyz` 200 only while every check
 * passes (the store answers, the leases run, no shutdown has begun), so a
 * platform sends traffic to a worker that can serve it. `/healthz` only
 * says the process and its event loop are alive.
 */
export interface ReadinessCheck {
  readonly name: string;
  /** Resolves when fine; throws (or rejects) with the reason when not. */
  run(): Promise<void>;
}

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: Record<string, { ok: boolean; error?: string; ms: number }>;
}

export class Readiness {
  readonly #checks: ReadinessCheck[] = [];
  #stopping = false;

  constructor(private readonly timeoutMs = 2_000) {}

  add(check: ReadinessCheck): void {
    this.#checks.push(check);
  }

  /** From now on the worker is not ready: it is shutting down. */
  stopping(): void {
    this.#stopping = true;
  }

  async report(): Promise<ReadinessReport> {
    const checks: ReadinessReport['checks'] = {};
    if (this.#stopping) checks['shutdown'] = { ok: false, error: 'shutting down', ms: 0 };
    await Promise.all(
      this.#checks.map(async (check) => {
        const started = performance.now();
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            check.run(),
            new Promise((_, reject) => {
              timer = setTimeout(
                () => reject(new Error(`no answer within ${this.timeoutMs} ms`)),
                this.timeoutMs,
              );
            }),
          ]);
          checks[check.name] = { ok: true, ms: Math.round(performance.now() - started) };
        } catch (error) {
          checks[check.name] = {
            ok: false,
            error: (error as Error).message,
            ms: Math.round(performance.now() - started),
          };
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    return { ready: Object.values(checks).every((c) => c.ok), checks };
  }
}
