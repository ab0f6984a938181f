import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { inflateBody } from '../../src/core/collector/feed';
import { textDelivery } from './webhook';

// Collector processes (`insights serve --database …`, tests/helpers/serve-process.ts) and the bursts of
// deliveries the multi-process tests send them.

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface CollectorProcess {
  child: ChildProcess;
  base: string;
  exited: Promise<number | null>;
}

export function startCollectorProcess(dataDir: string, databaseUrl: string): Promise<CollectorProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/serve-process.ts', dataDir], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, INSIGHTS_DATABASE_URL: databaseUrl, TEST_LOG_LEVEL: 'warn' },
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /URL (http:\/\/[^/]+)\//.exec(out);
      if (m) resolve({ child, base: m[1]!, exited });
    });
    child.once('exit', (code) => reject(new Error(`collector exited early (${code})`)));
  });
}

export const burstDelivery = (channel: string, i: number) =>
  JSON.stringify(
    textDelivery({
      phoneNumberId: channel,
      waId: `49151${String(i % 500).padStart(7, '0')}`,
      id: `wamid.burst.${i}`,
      ts: 1_764_000_000 + i,
      body: `burst ${i}`,
    }),
  );

export interface BurstResult {
  /** Delivery number → how many 200s it got (one per acknowledged attempt). */
  acked: Map<number, number>;
  /** Answers other than 200, and connection errors, by kind. */
  refused: Map<string, number>;
}

/**
 * Sends deliveries 0…n-1 from `clients` concurrent clients, each to the collector `pick` chooses, and
 * retries every delivery that did not get a 200 (as 360dialog does) until it does. `onAck` hears each 200.
 */
export async function burst(options: {
  n: number;
  clients: number;
  channel: string;
  secret: string;
  pick: (i: number, attempt: number) => string;
  onAck?: (total: number) => void | Promise<void>;
}): Promise<BurstResult> {
  const acked = new Map<number, number>();
  const refused = new Map<string, number>();
  let next = 0;
  let total = 0;
  const client = async () => {
    while (next < options.n) {
      const i = next++;
      const body = burstDelivery(options.channel, i);
      for (let attempt = 0; ; attempt++) {
        let status: number | string;
        try {
          const r = await fetch(`${options.pick(i, attempt)}/webhooks/360dialog/${options.channel}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${options.secret}`, 'content-type': 'application/json' },
            body,
            signal: AbortSignal.timeout(15_000),
          });
          await r.arrayBuffer();
          status = r.status;
        } catch (err) {
          status = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
        }
        if (status === 200) {
          acked.set(i, (acked.get(i) ?? 0) + 1);
          await options.onAck?.(++total);
          break;
        }
        refused.set(String(status), (refused.get(String(status)) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** attempt, 500)));
      }
    }
  };
  await Promise.all(Array.from({ length: options.clients }, client));
  return { acked, refused };
}

/** The message ids of the stored payloads, one entry per stored row. */
export async function storedMessageIds(pool: pg.Pool, workspace = 'default'): Promise<string[]> {
  const r = await pool.query<{ body: Buffer }>('SELECT body FROM raw_payloads WHERE workspace = $1', [
    workspace,
  ]);
  return r.rows.flatMap((row) => {
    const v = JSON.parse(inflateBody(row.body)) as {
      entry: { changes: { value: { messages?: { id: string }[] } }[] }[];
    };
    return v.entry.flatMap((e) => e.changes.flatMap((c) => (c.value.messages ?? []).map((m) => m.id)));
  });
}
