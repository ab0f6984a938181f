import { describe, expect, it } from 'vitest';
import {
  PrintToPdfArgs,
  SaveFileArgs,
  safeFileName,
  withExtension,
  withFilterExtension,
} from '../../../src/main/shell-args';

describe('shell channel arguments', () => {
  it('accepts what the bridge sends, with or without filters', () => {
    expect(SaveFileArgs.parse(['report.csv', 'a,b\n', undefined])).toEqual([
      'report.csv',
      'a,b\n',
      undefined,
    ]);
    expect(SaveFileArgs.parse(['r.csv', 'x', [{ name: 'CSV', extensions: ['csv'] }]])[2]).toEqual([
      { name: 'CSV', extensions: ['csv'] },
    ]);
    expect(PrintToPdfArgs.parse(['report.pdf'])).toEqual(['report.pdf']);
  });

  it('rejects wrong types and odd extensions', () => {
    expect(SaveFileArgs.safeParse([{}, 'x']).success).toBe(false);
    expect(SaveFileArgs.safeParse(['a', 42]).success).toBe(false);
    expect(SaveFileArgs.safeParse(['a', 'x', [{ name: 'x', extensions: ['../sh'] }]]).success).toBe(false);
    expect(PrintToPdfArgs.safeParse([]).success).toBe(false);
  });
});

describe('safeFileName', () => {
  it('keeps a plain name and strips folders, traversal and reserved characters', () => {
    expect(safeFileName('Report 2026-11.csv', 'x')).toBe('Report 2026-11.csv');
    expect(safeFileName('../../etc/passwd', 'x')).toBe('passwd');
    expect(safeFileName('C:\\Users\\me\\evil.csv', 'x')).toBe('evil.csv');
    expect(safeFileName('a<b>:c|d?.csv', 'x')).toBe('a_b__c_d_.csv');
    expect(safeFileName('tab\there.csv', 'x')).toBe('tab_here.csv');
    expect(safeFileName('...', 'fallback.csv')).toBe('fallback.csv');
    expect(safeFileName('', 'fallback.csv')).toBe('fallback.csv');
  });

  it('adds the extension only when missing', () => {
    expect(withExtension('/tmp/report', 'pdf')).toBe('/tmp/report.pdf');
    expect(withExtension('/tmp/report.PDF', 'pdf')).toBe('/tmp/report.PDF');
  });
});

describe('withFilterExtension', () => {
  const csv = [{ name: 'CSV', extensions: ['csv'] }];
  it('adds the filter extension to a name typed without one', () => {
    expect(withFilterExtension('/home/me/report', csv)).toBe('/home/me/report.csv');
    expect(withFilterExtension('/home/me/report.v2', csv)).toBe('/home/me/report.v2.csv');
  });

  it('leaves matching names, wildcard filters and no filters alone', () => {
    expect(withFilterExtension('/home/me/report.CSV', csv)).toBe('/home/me/report.CSV');
    expect(withFilterExtension('/home/me/report', [{ name: 'All', extensions: ['*'] }])).toBe(
      '/home/me/report',
    );
    expect(withFilterExtension('/home/me/report', undefined)).toBe('/home/me/report');
  });
});
