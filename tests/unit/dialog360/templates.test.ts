import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../../src/core/db/open';
import type { RawTemplate } from '../../../src/core/dialog360/client';
import {
  listTemplates,
  storeTemplates,
  templateButtons,
  templateNameForReply,
} from '../../../src/core/dialog360/templates';
import { fakeTemplate } from '../../fakes/fake-360dialog';
import { tempDir } from '../../helpers/core';

const tpl = (...args: Parameters<typeof fakeTemplate>) => fakeTemplate(...args) as RawTemplate;

describe('templates', () => {
  let db: Db;
  beforeEach(() => {
    db = openDatabase(path.join(tempDir(), 'db.sqlite'));
    storeTemplates(db, 'P1', [
      tpl('summer_promo', 'en', ['Book now', 'Not now']),
      tpl('summer_promo', 'de', ['Book now', 'Später']),
      tpl('winter_promo', 'en', ['Not now', 'Tell me more'], [{ type: 'URL', text: 'Visit shop' }]),
      tpl('shop_link', 'en', ['Yes please'], [{ type: 'URL', text: 'Tell me more' }]),
    ]);
    storeTemplates(db, 'P2', [tpl('other_number', 'en', ['Book now'])]);
  });

  it('names a reply whose button text matches exactly one template of that number', () => {
    expect(templateNameForReply(db, 'P1', 'Book now')).toBe('summer_promo'); // same template in two languages
    expect(templateNameForReply(db, 'P1', 'Später')).toBe('summer_promo');
    expect(templateNameForReply(db, 'P2', 'Book now')).toBe('other_number');
  });

  it('names nothing when two templates share the text, on no match, or on a near match', () => {
    expect(templateNameForReply(db, 'P1', 'Not now')).toBeNull();
    expect(templateNameForReply(db, 'P1', 'book now')).toBeNull();
    expect(templateNameForReply(db, 'P1', 'Book now ')).toBeNull();
    expect(templateNameForReply(db, 'P3', 'Book now')).toBeNull();
  });

  it('only quick replies compete: a URL button with the same text never makes a reply ambiguous', () => {
    expect(templateNameForReply(db, 'P1', 'Tell me more')).toBe('winter_promo');
    expect(templateNameForReply(db, 'P1', 'Visit shop')).toBeNull();
  });

  it('a later sync updates buttons and keeps templates 360dialog no longer lists', () => {
    storeTemplates(db, 'P1', [tpl('winter_promo', 'en', ['Maybe later'])]);
    expect(templateButtons(db, 'P1', 'winter_promo', 'en')).toEqual([
      { index: 0, type: 'QUICK_REPLY', text: 'Maybe later' },
    ]);
    expect(templateNameForReply(db, 'P1', 'Tell me more')).toBeNull();
    expect(templateNameForReply(db, 'P1', 'Not now')).toBe('summer_promo');
    expect(listTemplates(db, 'P1').map((t) => `${t.name}/${t.language}`)).toEqual([
      'shop_link/en',
      'summer_promo/de',
      'summer_promo/en',
      'winter_promo/en',
    ]);
  });
});
