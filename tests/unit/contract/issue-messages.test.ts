import { afterEach, describe, expect, it } from 'vitest';
import { makeTestCore, type TestCore } from '../../helpers/core';

// Bad arguments are refused at the contract boundary (CoreHost.call, shared by IPC, HTTP and the CLI) in
// sentences a marketer reads, never zod's own wording.

let core: TestCore | undefined;
afterEach(async () => {
  await core?.close();
  core = undefined;
});

async function refusal(method: string, args: unknown): Promise<{ message: string; field?: string }> {
  core ??= makeTestCore();
  try {
    await core.host.call(method, 'default', args);
  } catch (err) {
    const e = err as { code: string; message: string; field?: string };
    expect(e.code).toBe('invalid_argument');
    return { message: e.message, ...(e.field ? { field: e.field } : {}) };
  }
  throw new Error(`${method} accepted ${JSON.stringify(args)}`);
}

describe('argument errors in words', () => {
  it('names the field and the limit', async () => {
    expect(await refusal('sources.rename', { id: 'kw:x', name: 'n'.repeat(201) })).toEqual({
      message: 'Name can be at most 200 characters',
      field: 'name',
    });
    expect(
      (
        await refusal('sources.invest', {
          id: 'kw:x',
          amount: -5,
          currency: 'EUR',
          from: '2026-01-01',
          to: '2026-01-31',
        })
      ).message,
    ).toBe('Amount cannot be negative');
    expect(
      (
        await refusal('sources.invest', {
          id: 'kw:x',
          amount: 5,
          currency: 'EUR',
          from: '2026-1-1',
          to: '2026-01-31',
        })
      ).message,
    ).toBe('Start date: a date is YYYY-MM-DD');
    expect((await refusal('keywords.add', { keyword: '' })).message).toBe('Keyword cannot be empty');
    expect((await refusal('sources.rename', { name: 'x' })).message).toBe('Id is missing');
    expect((await refusal('sources.rename', { id: 'a', name: 'x', extra: 1 })).message).toBe(
      'Unknown field: extra',
    );
    expect((await refusal('settings.set', { key: 'colour', value: 1 })).message).toMatch(
      /^Key must be one of: conversationWindowHours, /,
    );
  });

  it('refuses a report timezone the runtime does not know', async () => {
    expect(
      (await refusal('report.get', { phone: '1', range: { preset: '7d' }, timezone: 'Mars/Olympus' }))
        .message,
    ).toBe('Timezone is not a time zone; use a name such as Europe/Berlin or America/New_York');
  });

  it('takes only digits of a plausible length as a phone number id', async () => {
    for (const bad of ['Shop DE', '+49 151 1234567', '1234', '0106540352', '1'.repeat(21)]) {
      expect((await refusal('channels.add', { phoneNumberId: bad })).message).toMatch(
        /^Phone number id must be the digits of the phone_number_id/,
      );
    }
    core ??= makeTestCore();
    await expect(core.call('channels.add', { phoneNumberId: ' 106540352242922 ' })).resolves.toMatchObject({
      id: '106540352242922',
    });
  });

  it('never passes zod wording through', async () => {
    for (const [method, args] of [
      ['sources.rename', { id: 'a', name: 5 }],
      ['sources.conversations', { phone: 'x', range: { preset: '7d' }, source: 's', limit: 5000 }],
      ['report.get', { phone: 'x', range: { preset: 'forever' } }],
    ] as const) {
      const { message } = await refusal(method, args);
      expect(message).not.toMatch(/Invalid input|Too big|Too small|expected/i);
    }
  });
});
