import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  AppInfo,
  AttributionModel,
  AvailableEvent,
  CompareTo,
  CoreEvent,
  EventList,
  JobInfo,
  PhoneNumber,
  Preferences,
  Report,
  ReportQuery,
  SourceRow,
  Workspace,
} from '../../../shared/contract';
import { isTimeZone } from '../../../shared/timezone';
import type { Client } from '../api/client';
import { selectedPhone } from '../lib/all-numbers';
import { errorText, isOffline } from '../lib/errors';
import { effectiveSteps } from '../lib/funnel';
import { markChange, markReportReceived } from '../lib/perf';
import { DEFAULT_RANGE, type RangeSelection, toRangeInput } from '../lib/range';

export type ThemePref = 'system' | 'light' | 'dark';
export type View = 'dashboard' | 'settings' | 'overview';

export interface DashboardState {
  boot: 'loading' | 'ready' | 'error';
  bootError: string | null;
  info: AppInfo | null;
  prefs: Preferences;
  workspaces: Workspace[];
  workspace: string;
  phones: PhoneNumber[] | null;
  phonesError: string | null;
  phoneId: string | null;
  range: RangeSelection;
  /** What the figures are compared with (remembered). */
  compare: CompareTo;
  /** The report timezone chosen in the top bar for this workspace; null = the workspace's setting. */
  timezone: string | null;
  /** The workspace's own report timezone (as the last report without a choice said). */
  defaultTimezone: string | null;
  /** The attribution model of the source rows, remembered per number (docs/metrics.md "Attribution models"). */
  model: AttributionModel;
  /** The user's (or remembered) event; null lets the core pick the suggested one. */
  eventId: string | null;
  /** Custom funnel steps for this phone; undefined = the selected event alone. */
  funnel: string[] | undefined;
  /** The picker's events; `kinds` counts each kind's events in all when the list holds the first few only. */
  events: { list: AvailableEvent[]; suggested: string | null; kinds?: EventList['kinds'] } | null;
  eventsLoading: boolean;
  eventsError: string | null;
  /** The last report received; kept while a new one loads so nothing jumps. */
  report: Report | null;
  /** Every source row of `report` when it came with its first rows only (`sourcesTotal`), once asked. */
  allSources: { report: Report; rows: SourceRow[] } | null;
  reportLoading: boolean;
  reportError: string | null;
  theme: ThemePref;
  jobs: JobInfo[];
  offline: boolean;
  view: View;
  /** The Settings section to open (a link from the dashboard names one). */
  settingsSection: string | null;
  drill: { sourceId: string; sourceName: string } | null;
  demo: { running: boolean; error: string | null };

  init(): Promise<void>;
  setWorkspace(name: string): Promise<void>;
  setPhone(id: string): void;
  setRange(range: RangeSelection): void;
  setCompare(compare: CompareTo): void;
  /** Opens a workspace's dashboard from the overview. */
  openWorkspace(name: string): Promise<void>;
  setTimezone(timezone: string | null): void;
  setEvent(id: string): void;
  setModel(model: AttributionModel): void;
  setFunnel(steps: string[] | undefined): void;
  setTheme(theme: ThemePref): void;
  setView(view: View, settingsSection?: string): void;
  openDrill(sourceId: string, sourceName: string): void;
  closeDrill(): void;
  reload(): void;
  /** Re-asks the report and the events (after an edit); the current report stays on screen meanwhile. */
  refresh(): void;
  exploreDemo(): Promise<void>;
  leaveDemo(): Promise<void>;
  cancelJob(id: string): Promise<void>;
  /** Remembers a table layout choice. */
  savePrefs(patch: Preferences): void;
}

export type DashboardStore = StoreApi<DashboardState>;

/**
 * How many source rows a report brings with it: more than a screen shows. The rest follows in a second
 * call, so a change of range or event waits for a small answer (docs/architecture.md "Source rows on demand").
 */
export const FIRST_SOURCE_ROWS = 30;

/**
 * How many events of each kind come with a new number's or range's report: more than the picker shows of
 * each; typing in it searches all of them (events.list).
 */
export const FIRST_EVENTS_PER_KIND = 20;

/** Two reports whose source rows answer the same question (number, range, zone, event, model). */
function sameRows(a: Report, b: Report): boolean {
  return (
    a.phone.id === b.phone.id &&
    a.range.from === b.range.from &&
    a.range.to === b.range.to &&
    a.range.timezone === b.range.timezone &&
    a.event?.id === b.event?.id &&
    (a.model ?? 'conversation') === (b.model ?? 'conversation')
  );
}

/**
 * The report's source rows: all of them once they came, else the first ones the report brought. A report
 * asked again for the same rows (another funnel or comparison, a refresh after an edit) keeps showing the
 * previous report's full list until its own arrives: the table does not shrink to its first rows and lose
 * its scroll position for the moment between the two answers.
 */
export function sourceRowsOf(s: Pick<DashboardState, 'report' | 'allSources'>): SourceRow[] | null {
  const { report, allSources } = s;
  if (!report) return null;
  if (!allSources) return report.sources;
  if (allSources.report === report) return allSources.rows;
  if (report.sourcesTotal !== undefined && sameRows(allSources.report, report)) return allSources.rows;
  return report.sources;
}

/** Whether every source row of the report is at hand (exports and the row count wait for it). */
export function allSourcesIn(s: Pick<DashboardState, 'report' | 'allSources'>): boolean {
  return !!s.report && (s.report.sourcesTotal === undefined || s.allSources?.report === s.report);
}

/** The optional `timezone` argument of the report's calls: absent means the workspace's setting. */
export const zoneArg = (timezone: string | null): { timezone?: string } => (timezone ? { timezone } : {});

/** A remembered choice the runtime still knows (a hand-edited preferences file cannot break the report). */
function chosenZone(prefs: Preferences, workspace: string): string | null {
  const tz = prefs.timezoneByWorkspace?.[workspace];
  return tz && isTimeZone(tz) ? tz : null;
}

export function createDashboardStore(client: Client): DashboardStore {
  let reportSeq = 0;
  let eventsSeq = 0;
  let refreshTimer: ReturnType<typeof setTimeout> | null = null;
  let pingTimer: ReturnType<typeof setInterval> | null = null;
  let subscribed = false;
  let booting: Promise<void> | null = null;

  const store = createStore<DashboardState>()((set, get) => {
    // A change asks its report before it stores the choice: the preference write runs on the thread that
    // answers every call (the server's, Electron's main), and a report asked after it would wait for it.
    const persist = (patch: Preferences) => {
      set((s) => ({ prefs: { ...s.prefs, ...patch } }));
      client.api['prefs.set'](patch).catch(noteError);
    };

    // An unreachable core flips the offline indicator and polls until it answers again.
    const noteError = (err: unknown) => {
      if (!isOffline(err) || get().offline) return;
      set({ offline: true });
      pingTimer = setInterval(() => {
        client.api['app.info']({}).then(
          () => {
            if (pingTimer) clearInterval(pingTimer);
            pingTimer = null;
            set({ offline: false });
            get().reload();
          },
          () => undefined,
        );
      }, 3000);
    };

    /**
     * The report; with `withEvents` (a new number or range) the event list too, in the same call: the core
     * counts the range's events once for both, and every panel updates in one render.
     */
    const loadReport = (withEvents = false): Promise<void> => {
      const { phoneId, range, eventId, funnel } = get();
      if (!phoneId) return Promise.resolve();
      const seq = ++reportSeq;
      const eventsAt = withEvents ? ++eventsSeq : -1;
      const timezone = get().timezone;
      const query: ReportQuery = {
        phone: phoneId,
        range: toRangeInput(range),
        ...zoneArg(timezone),
        ...(get().compare === 'previous' ? {} : { compare: get().compare }),
        ...(get().model === 'conversation' ? {} : { model: get().model }),
        sourcesLimit: FIRST_SOURCE_ROWS,
      };
      if (eventId) query.event = eventId;
      const steps = effectiveSteps(funnel, eventId);
      if (funnel && steps.length > 0) query.funnel = steps;
      set({
        reportLoading: true,
        reportError: null,
        ...(withEvents ? { eventsLoading: true, eventsError: null } : {}),
      });
      const call = withEvents
        ? client
            .timed('report.dashboard', { ...query, eventsPerKind: FIRST_EVENTS_PER_KIND })
            .then(({ value, timing }) => ({ ...value, timing }))
        : client
            .timed('report.get', query)
            .then(({ value, timing }) => ({ report: value, events: null, timing }));
      return call.then(
        ({ report, events, timing }) => {
          const patch: Partial<DashboardState> = {};
          if (events && eventsAt === eventsSeq)
            Object.assign(patch, {
              events: {
                list: events.events,
                suggested: events.suggested,
                ...(events.kinds ? { kinds: events.kinds } : {}),
              },
              eventsLoading: false,
            });
          if (seq === reportSeq) {
            markReportReceived(timing);
            Object.assign(patch, {
              report,
              reportLoading: false,
              reportError: null,
              ...(timezone ? {} : { defaultTimezone: report.range.timezone }),
            });
          }
          set(patch);
          if (seq === reportSeq && report.sourcesTotal !== undefined) loadAllSources(query, report);
        },
        (err) => {
          noteError(err);
          if (seq === reportSeq) set({ reportLoading: false, reportError: errorText(err) });
          // The picker still needs the list, e.g. to replace a remembered event the report refused.
          if (eventsAt === eventsSeq) loadEvents();
        },
      );
    };

    /**
     * The rest of a report's source rows, asked once the report is on screen; the core answers them from
     * the rows it just counted. The event is the one the report picked, so nothing is chosen again.
     */
    const loadAllSources = (query: ReportQuery, report: Report) => {
      const { sourcesLimit: _first, funnel: _funnel, compare: _compare, ...rest } = query;
      client.api['report.sources']({ ...rest, ...(report.event ? { event: report.event.id } : {}) }).then(
        ({ sources }) => {
          if (get().report === report) set({ allSources: { report, rows: sources } });
        },
        (err) => {
          noteError(err);
          if (get().report === report) set({ reportError: errorText(err) });
        },
      );
    };

    const loadEvents = () => {
      const { phoneId, range } = get();
      if (!phoneId) return;
      const seq = ++eventsSeq;
      set({ eventsLoading: true, eventsError: null });
      client.api['events.list']({
        phone: phoneId,
        range: toRangeInput(range),
        limit: 500,
        ...zoneArg(get().timezone),
      }).then(
        (r) => {
          if (seq === eventsSeq)
            set({ events: { list: r.events, suggested: r.suggested }, eventsLoading: false });
        },
        (err) => {
          noteError(err);
          if (seq === eventsSeq) set({ eventsLoading: false, eventsError: errorText(err) });
        },
      );
    };

    const selectPhone = (id: string | null) => {
      const prefs = get().prefs;
      set({
        phoneId: id,
        eventId: id ? (prefs.eventByPhone?.[id] ?? null) : null,
        model: (id && prefs.modelByPhone?.[id]) || 'conversation',
        funnel: id ? prefs.funnelByPhone?.[id] : undefined,
        events: null,
        drill: null,
      });
    };

    /**
     * Lists the numbers and selects one (the current, else the remembered, else the first). `asked`: the
     * number whose report was already asked before the list came (boot); it stays selected, its answer
     * in flight, when the list still has it. Returns whether the selection changed, so the caller asks
     * the report of the number now selected.
     */
    const loadPhones = async (asked: string | null = null): Promise<boolean> => {
      try {
        const phones = await client.api['phones.list']({});
        set({ phones, phonesError: null });
        const remembered = get().prefs.phoneId;
        const current = asked ? null : get().phoneId;
        const keep = selectedPhone(phones, current) ?? selectedPhone(phones, remembered ?? null) ?? phones[0];
        if (asked && keep?.id === asked) return false;
        selectPhone(keep?.id ?? null);
      } catch (err) {
        noteError(err);
        set({ phones: [], phonesError: errorText(err) });
        selectPhone(null);
      }
      // An answer still on its way is for a number no longer selected.
      reportSeq++;
      eventsSeq++;
      set({ reportLoading: false, eventsLoading: false });
      return true;
    };

    const refreshAll = () => {
      void loadReport(true);
    };

    const onEvent = (e: CoreEvent) => {
      if (e.type === 'job') {
        set((s) => {
          const rest = s.jobs.filter((j) => j.id !== e.job.id);
          return { jobs: [e.job, ...rest].slice(0, 30) };
        });
        return;
      }
      if (e.workspace !== get().workspace) return;
      // Bursts of webhooks arrive together: refresh once they settle.
      if (refreshTimer) clearTimeout(refreshTimer);
      refreshTimer = setTimeout(async () => {
        refreshTimer = null;
        if (e.what === 'messages' || e.what === 'all') await loadPhones();
        refreshAll();
      }, 500);
    };

    const boot = async (): Promise<void> => {
      if (!subscribed) {
        subscribed = true;
        client.transport.onEvent(onEvent);
      }
      try {
        const [info, prefs, workspaces, jobs] = await Promise.all([
          client.api['app.info']({}),
          client.api['prefs.get']({}),
          client.api['workspaces.list']({}),
          client.api['jobs.list']({}),
        ]);
        const workspace =
          prefs.workspace && workspaces.some((w) => w.name === prefs.workspace)
            ? prefs.workspace
            : info.defaultWorkspace;
        client.workspace = workspace;
        const r = prefs.range;
        const range: RangeSelection =
          r?.preset && r.preset !== 'custom'
            ? { preset: r.preset }
            : r?.from && r.to
              ? { from: r.from, to: r.to }
              : DEFAULT_RANGE;
        set({
          info,
          prefs,
          workspaces,
          workspace,
          range,
          compare: prefs.compare ?? 'previous',
          timezone: chosenZone(prefs, workspace),
          theme: prefs.theme ?? 'system',
          jobs,
        });
        // The remembered number's report is asked together with the list of numbers, not after it (and a
        // render): one round trip less before the first dashboard. The list almost always still has that
        // number; when it does not, the answer is dropped and the selected number's report asked.
        const asked = prefs.phoneId ?? null;
        if (asked) {
          selectPhone(asked);
          refreshAll();
        }
        // The report is asked for before the dashboard first renders: that render (chart, table) takes a
        // few hundred milliseconds on a slow machine, and the request is in flight meanwhile. The list of
        // numbers is answered beside the report (its own lane), so that frame is built while the report is
        // counted rather than after it came.
        if (await loadPhones(asked)) refreshAll();
        set({ boot: 'ready' });
      } catch (err) {
        noteError(err);
        set({ boot: 'error', bootError: errorText(err) });
      }
    };

    return {
      boot: 'loading',
      bootError: null,
      info: null,
      prefs: {},
      workspaces: [],
      workspace: client.workspace,
      phones: null,
      phonesError: null,
      phoneId: null,
      range: DEFAULT_RANGE,
      compare: 'previous',
      timezone: null,
      defaultTimezone: null,
      eventId: null,
      model: 'conversation',
      funnel: undefined,
      events: null,
      eventsLoading: false,
      eventsError: null,
      report: null,
      allSources: null,
      reportLoading: false,
      reportError: null,
      theme: 'system',
      jobs: [],
      offline: false,
      view: 'dashboard',
      settingsSection: null,
      drill: null,
      demo: { running: false, error: null },

      init() {
        // One boot at a time; after a failure, "Try again" starts a new one.
        if (booting && get().boot !== 'error') return booting;
        booting = boot();
        return booting;
      },

      async setWorkspace(name) {
        if (name === get().workspace) return;
        client.workspace = name;
        markChange();
        set({
          workspace: name,
          timezone: chosenZone(get().prefs, name),
          defaultTimezone: null,
          report: null,
          events: null,
          phones: null,
          view: 'dashboard',
          drill: null,
        });
        persist({ workspace: name });
        await loadPhones();
        refreshAll();
      },

      setPhone(id) {
        if (id === get().phoneId) return;
        markChange();
        selectPhone(id);
        refreshAll();
        persist({ phoneId: id });
      },

      setRange(range) {
        markChange();
        set({ range });
        refreshAll();
        persist({
          range:
            'preset' in range
              ? { preset: range.preset }
              : { preset: 'custom', from: range.from, to: range.to },
        });
      },

      setCompare(compare) {
        if (compare === get().compare) return;
        set({ compare });
        if (get().view !== 'overview') loadReport();
        persist({ compare });
      },

      async openWorkspace(name) {
        set({ view: 'dashboard' });
        if (name === get().workspace) {
          refreshAll();
          return;
        }
        await get().setWorkspace(name);
      },

      setTimezone(timezone) {
        if (timezone === get().timezone) return;
        markChange();
        set({ timezone });
        refreshAll();
        persist({ timezoneByWorkspace: { [get().workspace]: timezone ?? '' } });
      },

      setEvent(id) {
        const phone = get().phoneId;
        if (!phone) return;
        markChange();
        set({ eventId: id });
        loadReport();
        persist({ eventByPhone: { [phone]: id } });
      },

      setModel(model) {
        const phone = get().phoneId;
        if (!phone || model === get().model) return;
        markChange();
        set({ model });
        loadReport();
        persist({ modelByPhone: { [phone]: model } });
      },

      setFunnel(steps) {
        const phone = get().phoneId;
        if (!phone) return;
        set({ funnel: steps });
        loadReport();
        persist({ funnelByPhone: { [phone]: steps ?? [] } });
      },

      setTheme(theme) {
        set({ theme });
        persist({ theme });
      },

      setView(view, settingsSection) {
        set({ view, settingsSection: settingsSection ?? null });
      },

      openDrill(sourceId, sourceName) {
        set({ drill: { sourceId, sourceName } });
      },
      closeDrill() {
        set({ drill: null });
      },

      refresh() {
        refreshAll();
      },

      reload() {
        client.api['workspaces.list']({}).then((workspaces) => set({ workspaces }), noteError);
        loadPhones().then(refreshAll);
      },

      async exploreDemo() {
        set({ demo: { running: true, error: null } });
        try {
          const r = await client.api['demo.build']({});
          const workspaces = await client.api['workspaces.list']({});
          set({ workspaces, demo: { running: false, error: null } });
          await get().setWorkspace(r.workspace);
        } catch (err) {
          noteError(err);
          set({ demo: { running: false, error: errorText(err) } });
        }
      },

      async leaveDemo() {
        const { workspaces, info } = get();
        const target = workspaces.find((w) => !w.isDemo)?.name ?? info?.defaultWorkspace ?? 'default';
        await get().setWorkspace(target);
      },

      async cancelJob(id) {
        await client.api['jobs.cancel']({ id }).catch(noteError);
      },

      savePrefs(patch) {
        persist(patch);
      },
    };
  });
  return store;
}
