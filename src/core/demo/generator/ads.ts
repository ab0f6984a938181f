import type { DateTime } from 'luxon';
import type { AdHierarchy } from '../../meta/demo-graph';
import type { Random } from '../random';
import { DEMO_PHONES } from './brand';

// The spend step: the brand's Click-to-WhatsApp ads on Meta and what each spent per day. The conversation
// step then draws each ad's conversations from its spend.

export interface DemoAd extends AdHierarchy {
  phoneNumberId: string;
  headline: string;
  body: string;
  /** YYYY-MM-DD (account timezone) → spend in EUR */
  dailySpend: Record<string, number>;
}

export function makeAds(rnd: Random, days: DateTime[]): DemoAd[] {
  const specs = [
    ['Spring Glow', 'Women 25-44 DE', 'Serum video', 0, 0.05, 0.45, 38],
    ['Spring Glow', 'Women 25-44 DE', 'Before/after carousel', 0, 0.1, 0.5, 30],
    ['Spring Glow', 'Lookalike NL', 'Serum video NL', 1, 0.12, 0.5, 26],
    ['Always-on Acquisition', 'Broad DE', 'Starter kit offer', 0, 0.35, 1, 34],
    ['Always-on Acquisition', 'Broad NL', 'Starter kit offer NL', 1, 0.4, 1, 24],
    ['Always-on Acquisition', 'Retargeting', 'Free consultation', 0, 0.55, 1, 18],
    ['Black Week', 'Past buyers', 'Early access', 0, 0.88, 0.99, 55],
    ['Black Week', 'Past buyers NL', 'Early access NL', 1, 0.88, 0.99, 40],
    ['Brand Awareness', 'Broad DE', 'Awareness video (no WhatsApp CTA)', 0, 0.6, 1, 12],
  ] as const;
  return specs.map(([campaign, adset, adName, phoneIndex, from, to, avg], i) => {
    const campaignIndex = [...new Set(specs.map((s) => s[0]))].indexOf(campaign);
    const adsetIndex = [...new Set(specs.map((s) => s[1]))].indexOf(adset);
    const dailySpend: Record<string, number> = {};
    const first = Math.floor(from * (days.length - 1));
    const last = Math.floor(to * (days.length - 1));
    for (let d = first; d <= last; d++) {
      const amount = avg * (0.7 + rnd.next() * 0.6) * (days[d]!.weekday >= 6 ? 0.8 : 1);
      dailySpend[days[d]!.toISODate()!] = Math.round(amount * 100) / 100;
    }
    return {
      adId: `1202263058548${String(10000 + i)}`,
      adName,
      adsetId: `1202263058547${String(20000 + adsetIndex)}`,
      adsetName: adset,
      campaignId: `1202263058546${String(30000 + campaignIndex)}`,
      campaignName: campaign,
      phoneNumberId: DEMO_PHONES[phoneIndex]!.phoneNumberId,
      headline: `${campaign}: ${adName}`,
      body: 'Radiant skin in 14 days. Message us for a free routine check.',
      dailySpend,
    };
  });
}
