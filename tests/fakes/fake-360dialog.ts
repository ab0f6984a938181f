import { randomBytes } from 'node:crypto';
import http from 'node:http';

// A fake 360dialog (waba-v2) on 127.0.0.1 speaking the shapes documented in
// https://docs.360dialog.com/docs/waba-basics/the-basics-overview and https://docs.360dialog.com/docs/messaging-api/api-reference/webhooks: `D360-API-KEY` auth (one key per number),
// GET/POST /v1/configs/webhook, GET /v1/configs/templates (waba_templates with limit/offset paging),
// POST /messages answering {"contacts":[{"input","wa_id"}],"messages":[{"id":"wamid…"}]}.
// Error bodies are not documented there; these are plausible stand-ins, and the client only relies on the status.

export interface FakeNumber {
  webhook: { url: string | null; headers: Record<string, string> };
  templates: unknown[];
}

export interface FakeRequest {
  method: string;
  path: string;
  apiKey: string | null;
  body: unknown;
}

export interface Fake360dialog {
  url: string;
  /** State per API key (one key per phone number channel). */
  numbers: Map<string, FakeNumber>;
  requests: FakeRequest[];
  /** Sent message bodies with the id the fake answered. */
  sent: { apiKey: string; body: unknown; id: string }[];
  close(): Promise<void>;
}

export async function startFake360dialog(
  keys: Record<string, { templates?: unknown[] }>,
): Promise<Fake360dialog> {
  const numbers = new Map<string, FakeNumber>(
    Object.entries(keys).map(([k, v]) => [
      k,
      { webhook: { url: null, headers: {} }, templates: v.templates ?? [] },
    ]),
  );
  const requests: FakeRequest[] = [];
  const sent: Fake360dialog['sent'] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = null;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        return send(res, 400, { error: { message: 'Invalid JSON', code: 100 } });
      }
      const apiKey = typeof req.headers['d360-api-key'] === 'string' ? req.headers['d360-api-key'] : null;
      requests.push({ method: req.method ?? '', path: url.pathname + url.search, apiKey, body });
      const number = apiKey ? numbers.get(apiKey) : undefined;
      if (!apiKey || !number) {
        return send(res, 401, {
          meta: { success: false, http_code: 401, developer_message: 'Invalid api key' },
        });
      }
      const route = `${req.method} ${url.pathname}`;
      switch (route) {
        case 'GET /v1/configs/webhook':
          return send(res, 200, { url: number.webhook.url ?? '' });
        case 'POST /v1/configs/webhook': {
          const b = (body ?? {}) as { url?: unknown; headers?: unknown };
          const problem = webhookProblem(b.url);
          if (problem)
            return send(res, 400, { meta: { success: false, http_code: 400, developer_message: problem } });
          number.webhook = { url: b.url as string, headers: (b.headers ?? {}) as Record<string, string> };
          return send(res, 200, { url: b.url });
        }
        case 'GET /v1/configs/templates': {
          const limit = Number(url.searchParams.get('limit') ?? 1000);
          const offset = Number(url.searchParams.get('offset') ?? 0);
          const page = number.templates.slice(offset, offset + limit);
          return send(res, 200, {
            count: page.length,
            filters: {},
            limit,
            offset,
            sort: ['id'],
            total: number.templates.length,
            waba_templates: page,
          });
        }
        case 'POST /messages': {
          const b = (body ?? {}) as { messaging_product?: unknown; to?: unknown };
          if (b.messaging_product !== 'whatsapp' || typeof b.to !== 'string') {
            return send(res, 400, {
              error: {
                message: '(#100) Invalid parameter',
                type: 'OAuthException',
                code: 100,
                fbtrace_id: 'fake',
              },
            });
          }
          const id = `wamid.${randomBytes(12).toString('base64url')}`;
          sent.push({ apiKey, body, id });
          return send(res, 200, {
            messaging_product: 'whatsapp',
            contacts: [{ input: b.to, wa_id: b.to.replace(/\D/g, '') }],
            messages: [{ id }],
          });
        }
        default:
          return send(res, 404, {
            meta: { success: false, http_code: 404, developer_message: `No route ${route}` },
          });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    numbers,
    requests,
    sent,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** 360dialog refuses webhook URLs that are not https, carry a port, or have `_` in the host (§3). */
function webhookProblem(url: unknown): string | null {
  if (typeof url !== 'string') return 'url is required';
  const m = /^https:\/\/([^/?#]+)/.exec(url);
  if (!m) return 'url must be https';
  if (m[1]!.includes(':')) return 'url must not contain a port';
  if (m[1]!.includes('_')) return 'host must not contain an underscore';
  return null;
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** A template as 360dialog lists it, with quick-reply buttons (and optionally a URL button). */
export function fakeTemplate(
  name: string,
  language: string,
  quickReplies: string[],
  extraButtons: { type: string; text: string }[] = [],
): unknown {
  return {
    id: `${name}-${language}`,
    name,
    language,
    namespace: 'ns_fake',
    status: 'approved',
    category: 'MARKETING',
    components: [
      { type: 'BODY', text: `Body of ${name}` },
      {
        type: 'BUTTONS',
        buttons: [...quickReplies.map((text) => ({ type: 'QUICK_REPLY', text })), ...extraButtons],
      },
    ],
  };
}
