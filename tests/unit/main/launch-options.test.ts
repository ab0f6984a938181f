import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseDataDir, chooseReceiverPort, parseLaunchArgs } from '../../../src/main/launch-options';

describe('parseLaunchArgs', () => {
  it('reads --data-dir, --workspace and --port in both spellings among Electron and Chromium arguments', () => {
    expect(
      parseLaunchArgs([
        '.',
        '--no-sandbox',
        '--data-dir',
        '/d',
        '--workspace=client-a',
        '--port=0',
        '--inspect=9229',
      ]),
    ).toEqual({ dataDir: '/d', workspace: 'client-a', port: 0 });
  });

  it('ignores options without a value and ports out of range', () => {
    expect(parseLaunchArgs(['--data-dir', '--workspace', '--port', 'x'])).toEqual({});
    expect(parseLaunchArgs(['--port=70000'])).toEqual({});
    expect(parseLaunchArgs(['--port=-1'])).toEqual({});
    expect(parseLaunchArgs(['--port='])).toEqual({});
  });
});

describe('chooseDataDir', () => {
  it('prefers --data-dir, then INSIGHTS_DATA_DIR, then <appData>/Insights Desktop (the CLI default)', () => {
    expect(chooseDataDir({ dataDir: 'rel' }, { INSIGHTS_DATA_DIR: '/env' }, '/appdata')).toBe(
      path.resolve('rel'),
    );
    expect(chooseDataDir({}, { INSIGHTS_DATA_DIR: '/env' }, '/appdata')).toBe(path.resolve('/env'));
    expect(chooseDataDir({}, {}, '/appdata')).toBe(path.join('/appdata', 'Insights Desktop'));
  });
});

describe('chooseReceiverPort', () => {
  it('prefers --port, then INSIGHTS_PORT, then 4319', () => {
    expect(chooseReceiverPort({ port: 0 }, { INSIGHTS_PORT: '5000' })).toBe(0);
    expect(chooseReceiverPort({}, { INSIGHTS_PORT: '5000' })).toBe(5000);
    expect(chooseReceiverPort({}, { INSIGHTS_PORT: '' })).toBe(4319);
    expect(chooseReceiverPort({}, { INSIGHTS_PORT: 'abc' })).toBe(4319);
    expect(chooseReceiverPort({}, {})).toBe(4319);
  });
});
