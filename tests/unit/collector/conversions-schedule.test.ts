import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sendIsDue } from '../../../src/core/conversions/due';
import { startConversionsScheduler } from '../../../src/core/conversions/schedule';
import type { HostApi } from '../../../src/core/kernel/host-api';
import { workspaceDbPath } from '../../../src/core/workspace/workspaces';
import type { MethodName } from '../../../src/shared/contract';
import { makeTestCore, tempDir } from '../../helpers/core';
import { insertOutboxRow, setOutboxState } from '../../helpers/outbox-rows';

// The sending schedule of `insights serve` and the app, against a host that records the calls it gets:
// which workspaces get a conversions.send job, never two at once for one workspace, and nothing after
// stop(). The real host and sender are exercised end to end in conversions-two-installations.test.ts.

interface Workspace {
  /** What conversions.due answers (due.ts; tested on a real database below). */
  pending: number;
  fail?: boolean;
}

function fakeHost(workspaces: Record<string, Workspace>) {
  const dataDir = tempDir();
  for (const name of Object.keys(workspaces)) {
    const file = workspaceDbPath(dataDir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '');
  }
  const sends: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const releases: (() => void)[] = [];
  const host: HostApi = {
    dataDir,
    onEvent: () => () => {},
    internal: async (name, workspace) => {
      if (name !== 'conversions.due') throw new Error(`unexpected ${name}`);
      return { due: workspaces[workspace]!.pending > 0 };
    },
    call: (async (method: MethodName, workspace: string | undefined, _args: unknown) => {
      const w = workspaces[workspace ?? ''];
      switch (method) {
        case 'jobs.list':
          return [];
        case 'conversions.send': {
          sends.push(workspace!);
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          // A send lasts until the test lets it finish.
          await new Promise<void>((resolve) => releases.push(resolve));
          inFlight--;
          if (w!.fail) throw new Error('Meta is down');
          w!.pending = 0;
          return {};
        }
        default:
          throw new Error(`unexpected ${method}`);
      }
    }) as HostApi['call'],
  };
  return {
    host,
    sends,
    maxInFlight: () => maxInFlight,
    releaseAll: () => {
      for (const r of releases.splice(0)) r();
    },
    cleanup: () => fs.rmSync(dataDir, { recursive: true, force: true }),
  };
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** Lets pending promise callbacks run (the scheduler's awaits) without waiting on a clock. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('conversions send schedule', () => {
  it('sends for the workspaces with work, one send per workspace at a time', async () => {
    const f = fakeHost({ shop: { pending: 3 }, idle: { pending: 0 } });
    cleanups.push(f.cleanup);
    const s = startConversionsScheduler(f.host, { immediate: false, everyMs: 3_600_000 });
    try {
      const first = s.tick();
      for (let i = 0; i < 10; i++) await settle();
      expect(f.sends).toEqual(['shop']);
      // Ticks while that send runs start no second one for the same workspace.
      const second = s.tick();
      for (let i = 0; i < 10; i++) await settle();
      expect(f.sends).toEqual(['shop']);
      f.releaseAll();
      await Promise.all([first, second]);
      expect(f.maxInFlight()).toBe(1);
      // Nothing pending any more: no further job.
      await s.tick();
      expect(f.sends).toEqual(['shop']);
    } finally {
      s.stop();
    }
  });

  it('after a failed send waits longer each time before the next attempt', async () => {
    const f = fakeHost({ shop: { pending: 1, fail: true } });
    cleanups.push(f.cleanup);
    let now = 1_000_000;
    const errors: string[] = [];
    const s = startConversionsScheduler(f.host, {
      immediate: false,
      everyMs: 60_000,
      now: () => now,
      onError: (w) => errors.push(w),
    });
    const round = async () => {
      const t = s.tick();
      for (let i = 0; i < 10; i++) await settle();
      f.releaseAll();
      await t;
    };
    try {
      await round();
      expect(f.sends).toHaveLength(1);
      now += 60_000; // 1 minute after the first failure: due again
      await round();
      expect(f.sends).toHaveLength(2);
      now += 60_000; // after the second failure it waits 2 minutes
      await round();
      expect(f.sends).toHaveLength(2);
      now += 60_000;
      await round();
      expect(f.sends).toHaveLength(3);
      expect(errors).toEqual(['shop', 'shop', 'shop']);
    } finally {
      s.stop();
    }
  });

  it('starts nothing once stopped', async () => {
    const f = fakeHost({ shop: { pending: 1 } });
    cleanups.push(f.cleanup);
    const s = startConversionsScheduler(f.host, { immediate: false, everyMs: 3_600_000 });
    s.stop();
    await s.tick();
    expect(f.sends).toEqual([]);
  });
});

describe('conversions.due', () => {
  it('is due only with sending on, no collector, Meta connected, and something to plan or send', async () => {
    const core = makeTestCore();
    cleanups.push(() => void core.close());
    const db = core.db();
    const now = Date.now();
    // Never sent yet: the first send plans the window.
    expect(sendIsDue(db, now)).toBe(false);
    await core.call('conversions.configure', { enabled: true });
    expect(sendIsDue(db, now)).toBe(true);
    await core.call('conversions.send', { dryRun: true }); // plans, as every send does
    expect(sendIsDue(db, now)).toBe(false); // nothing waits

    db.prepare("INSERT INTO ad_lead_changes (conversation) VALUES ('wamid.x')").run();
    expect(sendIsDue(db, now)).toBe(true);
    db.prepare('DELETE FROM ad_lead_changes').run();

    const id = insertOutboxRow(db, { conversation: 'wamid.p' });
    expect(sendIsDue(db, now)).toBe(true);
    setOutboxState(db, id, 'failed');
    db.prepare('UPDATE capi_outbox SET next_attempt_at = ? WHERE event_id = ?').run(now + 60_000, id);
    expect(sendIsDue(db, now)).toBe(false); // waiting for its retry
    expect(sendIsDue(db, now + 60_000)).toBe(true);
    // Mirrored from a collector: never this installation's to send.
    db.prepare("UPDATE capi_outbox SET origin = 'collector'").run();
    expect(sendIsDue(db, now + 60_000)).toBe(false);
    db.prepare("UPDATE capi_outbox SET origin = 'local'").run();

    db.prepare(
      `INSERT INTO meta_connection (id, method, needs_login, connected_at, checked_at) VALUES (1, 'token', 1, 0, 0)`,
    ).run();
    expect(sendIsDue(db, now + 60_000)).toBe(false);
    db.prepare('DELETE FROM meta_connection').run();

    await core.call('collector.configure', { url: 'http://127.0.0.1:9', token: 'ict1.default.x' });
    expect(sendIsDue(db, now + 60_000)).toBe(false);
    await core.call('collector.disconnect', {});
    await core.call('conversions.configure', { enabled: false });
    expect(sendIsDue(db, now + 60_000)).toBe(false);
  });
});
