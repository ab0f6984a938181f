// A fake Transport and a fixture Report for component tests only (the app never ships a fake).
import type { Transport } from '../../src/renderer/src/api/client';
import type {
  AvailableEvent,
  CallResult,
  CoreEvent,
  MethodName,
  Report,
  SourceRow,
} from '../../src/shared/contract';

const metrics = (
  conversations: number,
  leads: number,
  invested: number | null,
  revenue: number | null = null,
) => ({
  conversations,
  contacts: conversations,
  leads,
  conversionRate: conversations ? leads / conversations : 0,
  invested,
  investedOther: {},
  costPerLead: invested !== null && leads > 0 ? invested / leads : null,
  revenue,
  revenueOther: {},
  roas: revenue !== null && invested ? revenue / invested : null,
});

export function source(
  id: string,
  kind: SourceRow['kind'],
  name: string,
  conv: number,
  leads: number,
  invested: number | null,
  extra: Partial<SourceRow> = {},
): SourceRow {
  return {
    id,
    kind,
    name,
    ...metrics(conv, leads, invested),
    investedFrom: invested === null ? null : 'manual',
    ...extra,
  };
}

export const fixtureSources: SourceRow[] = [
  source('ad:111', 'meta_ad', 'Spring › Lookalike › Video A', 120, 30, 450, {
    investedFrom: 'meta',
    meta: {
      campaignId: 'c1',
      campaignName: 'Spring',
      adsetId: 's1',
      adsetName: 'Lookalike',
      impressions: 1000,
      clicks: 50,
      metaConversationsStarted: 118,
    },
  }),
  source('ad:112', 'meta_ad', 'Spring › Lookalike › Carousel', 40, 4, 200, {
    investedFrom: 'meta',
    meta: {
      campaignId: 'c1',
      campaignName: 'Spring',
      adsetId: 's2',
      adsetName: 'Broad',
      impressions: 800,
      clicks: 20,
      metaConversationsStarted: 41,
    },
  }),
  source('kw:promo10', 'keyword', 'promo10', 80, 20, null),
  source('tpl:welcome', 'outgoing', 'Template welcome', 15, 1, 30),
  source('text:*', 'rollup', 'Other first messages', 9, 0, null, {
    children: [
      { id: 'text:hi', name: 'hi', conversations: 1 },
      { id: 'text:hello there', name: 'hello there', conversations: 1 },
    ],
  }),
];

export const fixtureEvents: AvailableEvent[] = [
  { id: 'ext:purchase', kind: 'external', label: 'purchase', leads: 40, occurrences: 55 },
  { id: 'ext:signup', kind: 'external', label: 'signup', leads: 12, occurrences: 12 },
  { id: 'button:Book now', kind: 'button', label: 'Book now', leads: 33, occurrences: 40 },
  { id: 'button:Not now', kind: 'button', label: 'Not now', leads: 9, occurrences: 9 },
  { id: 'list:Pricing', kind: 'list', label: 'Pricing', leads: 5, occurrences: 6 },
  { id: 'text:yes', kind: 'text', label: 'yes', leads: 50, occurrences: 70 },
];

export function fixtureReport(overrides: Partial<Report> = {}): Report {
  return {
    phone: { id: 'pn1', display: '+49 151 2345678', name: 'Acme Shop' },
    range: { from: '2026-03-01', to: '2026-03-30', timezone: 'Europe/Berlin' },
    event: { id: 'ext:purchase', kind: 'external', label: 'purchase' },
    totals: { ...metrics(264, 55, 680, 2400), currency: 'EUR' },
    previous: {
      ...metrics(200, 40, 500, 2000),
      currency: 'EUR',
      range: { from: '2026-01-30', to: '2026-02-28', timezone: 'Europe/Berlin' },
      comparison: 'full',
      dataFrom: '2025-06-01',
    },
    paid: {
      sources: 3,
      conversations: 155,
      leads: 27,
      invested: 680,
      costPerLead: 680 / 27,
      revenue: 1500,
      revenueOther: {},
      roas: 1500 / 680,
    },
    sources: fixtureSources,
    funnel: [
      {
        eventId: null,
        label: 'Conversations started',
        conversations: 264,
        rateFromStart: 1,
        rateFromPrevious: 1,
        medianSecondsFromStart: 0,
      },
      {
        eventId: 'ext:purchase',
        label: 'purchase',
        conversations: 55,
        rateFromStart: 55 / 264,
        rateFromPrevious: 55 / 264,
        medianSecondsFromStart: 7200,
      },
    ],
    series: [
      { bucket: '2026-03-01', to: '2026-03-01', partial: false, conversations: 10, leads: 2 },
      { bucket: '2026-03-02', to: '2026-03-02', partial: false, conversations: 12, leads: 3 },
    ],
    seriesGranularity: 'day',
    unattributedExternalEvents: 0,
    ...overrides,
  };
}

type Handler = (args: unknown, workspace: string) => unknown;

export interface FakeTransport extends Transport {
  calls: { method: MethodName; workspace: string; args: unknown }[];
  emit(e: CoreEvent): void;
  handlers: Partial<Record<MethodName, Handler>>;
}

/** Answers contract calls from a handler map; a missing handler fails like an unimplemented method. */
export function fakeTransport(handlers: Partial<Record<MethodName, Handler>>): FakeTransport {
  const listeners = new Set<(e: CoreEvent) => void>();
  // Like the core, report.dashboard answers what report.get and events.list answer for the same query
  // (through this transport, so tests see those calls and their handlers stay the ones to override).
  const dashboard = async (workspace: string, args: unknown): Promise<CallResult> => {
    const {
      eventsLimit,
      eventsPerKind: _perKind,
      ...query
    } = args as Record<string, unknown> & {
      eventsLimit?: number;
      eventsPerKind?: number;
    };
    const report = await t.call('report.get', workspace, query);
    if (!report.ok) return report;
    const { phone, range, timezone } = query;
    const events = await t.call('events.list', workspace, {
      phone,
      range,
      ...(timezone ? { timezone } : {}),
      limit: eventsLimit ?? 500,
    });
    if (!events.ok) return events;
    return { ok: true, value: { report: report.value, events: events.value } };
  };
  const t: FakeTransport = {
    kind: 'http',
    calls: [],
    handlers,
    async call(method, workspace, args): Promise<CallResult> {
      t.calls.push({ method, workspace, args });
      if (method === 'report.dashboard' && !t.handlers[method]) return dashboard(workspace, args);
      const h = t.handlers[method];
      if (!h)
        return { ok: false, error: { code: 'not_implemented', message: `${method} is not implemented` } };
      try {
        return { ok: true, value: await h(args, workspace) };
      } catch (err) {
        return { ok: false, error: { code: 'invalid_argument', message: (err as Error).message } };
      }
    },
    onEvent(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    emit(e) {
      for (const l of listeners) l(e);
    },
  };
  return t;
}

/** The handlers a working core answers with: one workspace, one number, the fixture report. */
export function standardHandlers(report: Report = fixtureReport()): Partial<Record<MethodName, Handler>> {
  let prefs: Record<string, unknown> = {};
  return {
    'app.info': () => ({
      version: '0.1.0',
      mode: 'browser',
      dataDir: '/tmp/x',
      defaultWorkspace: 'default',
      secretBackend: 'file',
      secretWarning: null,
    }),
    'prefs.get': () => prefs,
    'prefs.set': (args) => {
      prefs = { ...prefs, ...(args as object) };
      return prefs;
    },
    'workspaces.list': () => [{ name: 'default', isDemo: false, sizeBytes: 1, modifiedAt: null }],
    'jobs.list': () => [],
    'phones.list': () => [
      { id: 'pn1', display: '+49 151 2345678', name: 'Acme Shop', firstMessageAt: null, lastMessageAt: null },
      {
        id: 'pn2',
        display: '+49 151 9999999',
        name: 'Acme Support',
        firstMessageAt: null,
        lastMessageAt: null,
      },
    ],
    'report.get': () => report,
    'events.list': () => ({ events: fixtureEvents, suggested: 'ext:purchase' }),
  };
}
