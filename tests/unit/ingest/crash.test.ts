import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openDatabase } from '../../../src/core/db/open';
import { workspaceDbPath } from '../../../src/core/workspace/workspaces';
import { makeTestCore } from '../../helpers/core';

// A receiver process is SIGKILLed in the middle of a burst. Every delivery it acknowledged must be
// stored exactly once after a restart; re-sending the others completes the set, still once each.

const root = path.join(__dirname, '../../..');
const children: ChildProcess[] = [];

function startReceiver(dataDir: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'tests/helpers/receiver-process.ts'), dataDir],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`receiver exited early (${code})`)));
  });
}

function delivery(i: number): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'waba',
        changes: [
          {
            field: 'messages',
            value: {
              metadata: { display_phone_number: '15550001111', phone_number_id: '1234567890' },
              contacts: [{ profile: { name: `c${i}` }, wa_id: `49151${String(i).padStart(7, '0')}` }],
              messages: [
                {
                  from: `49151${String(i).padStart(7, '0')}`,
                  id: `wamid.crash.${i}`,
                  timestamp: String(1732550400 + i),
                  type: 'text',
                  text: { body: `m${i}` },
                },
              ],
            },
          },
        ],
      },
    ],
  });
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

it('every acknowledged delivery survives SIGKILL exactly once; re-sent ones complete the set', async () => {
  const core = makeTestCore();
  const { secret } = await core.call('channels.add', { phoneNumberId: '1234567890' });
  await core.host.close();
  const dataDir = core.dataDir;

  const first = await startReceiver(dataDir);
  const N = 1000;
  const acked = new Set<number>();
  let next = 0;
  let killed = false;
  const send = async (port: number, i: number) => {
    const r = await fetch(`http://127.0.0.1:${port}/webhooks/360dialog/1234567890`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: delivery(i),
    });
    await r.arrayBuffer();
    return r.status;
  };
  const worker = async () => {
    while (next < N) {
      const i = next++;
      try {
        if ((await send(first.port, i)) === 200) acked.add(i);
      } catch {
        // connection refused or reset: not acknowledged
      }
      if (!killed && acked.size >= 300) {
        killed = true;
        first.child.kill('SIGKILL');
      }
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  expect(killed).toBe(true);
  expect(acked.size).toBeGreaterThanOrEqual(300);
  expect(acked.size).toBeLessThan(N);

  const second = await startReceiver(dataDir);
  const db = openDatabase(workspaceDbPath(dataDir, 'default'));
  const countOf = db.prepare('SELECT count(*) AS n FROM messages WHERE id = ?');
  for (const i of acked) expect((countOf.get(`wamid.crash.${i}`) as { n: number }).n).toBe(1);

  const missing = Array.from({ length: N }, (_, i) => i).filter((i) => !acked.has(i));
  const statuses = [];
  for (let k = 0; k < missing.length; k += 32) {
    statuses.push(...(await Promise.all(missing.slice(k, k + 32).map((i) => send(second.port, i)))));
  }
  expect(statuses.every((s) => s === 200)).toBe(true);
  expect(
    db
      .prepare("SELECT count(*) AS n, count(DISTINCT id) AS d FROM messages WHERE id LIKE 'wamid.crash.%'")
      .get(),
  ).toEqual({ n: N, d: N });
  expect(db.prepare("SELECT count(*) AS n FROM raw_payloads WHERE origin = 'webhook'").get()).toEqual({
    n: N,
  });
  db.close();
  second.child.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 120_000);
