import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FailureRecord, RecordsSnapshot, SentMessage } from '@pasarela/standin';
import { pathKind, sourceOf } from './records.js';

export interface Place {
  readonly address: string;
  /** `direct` for the cloud host, `tunnel` for a restaurant. */
  readonly route: 'direct' | 'tunnel';
  readonly name: string;
}

export interface MeasuredTime {
  readonly what: string;
  readonly ms: number;
  readonly boundMs: number;
}

interface Row {
  readonly route: string;
  readonly place: string;
  readonly path: string;
  count: number;
  readonly origins: Set<string>;
  readonly userAgents: Set<string>;
}

/**
 * Something the WhatsApp side could not carry through, from the stand-in's
 * failure records: a session's client refusing or failing to decrypt what
 * WhatsApp brought it (`client-*`), or the stand-in's own contact failing
 * on what a session sent. Messages of the customer carry their text, their
 * receipts and how often the worker published them.
 */
export interface Refusal {
  readonly time: string;
  readonly stage: string;
  readonly account: string;
  readonly what: string;
  readonly receipts: readonly string[];
  readonly reason: string;
  readonly published: number | null;
}

/** The stand-in's failure records, matched to the messages its contact sent. */
export function refusals(
  failures: readonly FailureRecord[],
  sent: readonly SentMessage[],
  published: (messageId: string) => number,
): Refusal[] {
  return failures.map((f) => {
    const message = sent.find((m) => m.id === f.messageId);
    return {
      time: f.time,
      stage: f.stage,
      account: f.account ?? '?',
      what: message?.text ?? message?.contentType ?? `message ${f.messageId ?? '?'}`,
      receipts: message?.copies.flatMap((c) => c.receipts.map((r) => r.type)) ?? [],
      reason: f.reason,
      published: message ? published(message.id) : null,
    };
  });
}

const shorten = (ua: string) => ua.replace(/\) AppleWebKit.*(HeadlessChrome\/[\d.]+).*/, ') … $1');

/**
 * The suite's closing report: what the WhatsApp side (the stand-in) saw on
 * each route and path, from which address, with which Origin and
 * User-Agent, and the failover and return times measured on the way.
 */
export class DayReport {
  readonly times: MeasuredTime[] = [];

  time(what: string, ms: number, boundMs: number): void {
    this.times.push({ what, ms, boundMs });
    console.log(`[e2e] ${what}: ${ms} ms (bound ${boundMs} ms)`);
  }

  rows(records: RecordsSnapshot, places: readonly Place[]): Row[] {
    const rows = new Map<string, Row>();
    for (const record of records.requests) {
      if (record.party !== null) continue;
      const place = places.find((p) => p.address === sourceOf(record));
      if (!place) continue;
      const path = pathKind(record, records);
      const key = `${place.address} ${path}`;
      const row = rows.get(key) ?? {
        route: place.route,
        place: `${place.name} (${place.address})`,
        path,
        count: 0,
        origins: new Set<string>(),
        userAgents: new Set<string>(),
      };
      row.count += 1;
      row.origins.add(record.origin ?? '(none)');
      row.userAgents.add(record.userAgent ? shorten(record.userAgent) : '(none)');
      rows.set(key, row);
    }
    return [...rows.values()].sort((a, b) =>
      `${a.route}${a.place}${a.path}`.localeCompare(`${b.route}${b.place}${b.path}`),
    );
  }

  text(records: RecordsSnapshot, places: readonly Place[], refused: readonly Refusal[]): string {
    const lines = [
      '# What the WhatsApp side saw, per route and path',
      '',
      'Recorded by the stand-in in place of WhatsApp: every request and WebSocket upgrade of the',
      "restaurants' sessions, by source address. The cloud host runs the session worker;",
      "each restaurant runs Debian's Chromium with the restaurant's page open.",
      '',
      '| route | from | path | requests | Origin | User-Agent |',
      '|---|---|---|---|---|---|',
      ...this.rows(records, places).map(
        (r) =>
          `| ${r.route} | ${r.place} | ${r.path} | ${r.count} | ${[...r.origins].join(', ')} | ` +
          `${[...r.userAgents].join(', ')} |`,
      ),
      '',
      '# Measured times',
      '',
      '| what | measured | bound from the configuration |',
      '|---|---|---|',
      ...this.times.map((t) => `| ${t.what} | ${t.ms} ms | ${t.boundMs} ms |`),
      '',
      '# What the WhatsApp side could not carry through',
      '',
      ...(refused.length === 0
        ? ['Nothing: every message was taken where it was carried.']
        : [
            '| when | stage | account | message | receipts | why | published by the worker |',
            '|---|---|---|---|---|---|---|',
            ...refused.map(
              (r) =>
                `| ${r.time} | ${r.stage} | ${r.account} | ${r.what} | ` +
                `${r.receipts.join(', ')} | ${r.reason} | ${r.published ?? '-'} |`,
            ),
          ]),
      '',
    ];
    return lines.join('\n');
  }

  async write(
    dir: string,
    records: RecordsSnapshot,
    places: readonly Place[],
    refused: readonly Refusal[],
  ): Promise<string> {
    const text = this.text(records, places, refused);
    const file = join(dir, 'report.md');
    await writeFile(file, text);
    console.log(`[e2e] report written to ${file}:\n\n${text}`);
    return file;
  }
}
