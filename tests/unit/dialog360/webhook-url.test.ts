import { describe, expect, it } from 'vitest';
import { validateWebhookUrl, webhookUrlFor } from '../../../src/core/dialog360/webhook-url';

describe('validateWebhookUrl (360dialog refuses ports and underscores, needs public https)', () => {
  it.each([
    ['http://collector.example.com', /https/],
    ['https://collector.example.com:8443', /port/],
    ['https://collector.example.com:443/x', /port/],
    ['https://my_collector.example.com', /underscore/],
    ['https://localhost', /public/],
    ['https://127.0.0.1', /public/],
    ['https://[::1]', /IP address/],
    ['https://user:pw@collector.example.com', /user name/],
    ['https://intranet', /public host/],
    ['collector.example.com', /absolute URL/],
    ['https://collector.example.com/?a=1', /query/],
  ])('refuses %s', (url, why) => {
    expect(() => validateWebhookUrl(url)).toThrowError(why);
    try {
      validateWebhookUrl(url);
    } catch (err) {
      expect(err).toMatchObject({ code: 'invalid_argument', field: 'url' });
    }
  });

  it('accepts a public https host, with or without a path prefix, and builds the channel path', () => {
    expect(webhookUrlFor(validateWebhookUrl('https://collector.example.com'), '1234')).toBe(
      'https://collector.example.com/webhooks/360dialog/1234',
    );
    expect(webhookUrlFor(validateWebhookUrl(' https://example.com/insights/ '), '1234')).toBe(
      'https://example.com/insights/webhooks/360dialog/1234',
    );
  });
});
