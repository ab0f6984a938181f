import QRCode from 'qrcode';
import { useEffect, useState } from 'react';
import { isAllNumbers } from '../../../../shared/all-numbers';
import { keywordNotice } from '../../lib/keywords';
import { useClient, useDashboard } from '../../state/context';
import { formatPhone } from '../TopBar';
import { CopyBlock, ErrorLine, PanelState } from './common';
import { useAction, useLoad } from './useLoad';

/** A click-to-chat link that pre-fills the keyword, so the first message names the source. */
export function waMeLink(display: string | null, keyword: string): string | null {
  const digits = (display ?? '').replace(/\D/g, '');
  return digits ? `https://wa.me/${digits}?text=${encodeURIComponent(keyword)}` : null;
}

export function KeywordsPanel() {
  const client = useClient();
  const workspace = useDashboard((s) => s.workspace);
  const phones = useDashboard((s) => s.phones) ?? [];
  const phoneId = useDashboard((s) => s.phoneId);
  // A wa.me link names one number: with All numbers selected, the first.
  const [linkPhone, setLinkPhone] = useState(
    phoneId && !isAllNumbers(phoneId) ? phoneId : (phones[0]?.id ?? ''),
  );
  const kws = useLoad(() => client.api['keywords.list']({}), [workspace]);
  const [run, action] = useAction();
  const [kw, setKw] = useState('');
  /** Says so when the stored keyword differs from what was typed, or was there already. */
  const [notice, setNotice] = useState<string | null>(null);
  const phone = phones.find((p) => p.id === linkPhone) ?? null;

  return (
    <section className="panel" aria-labelledby="keywords-title">
      <h2 id="keywords-title">Tracking keywords</h2>
      <p className="muted small">
        A conversation whose first message contains a keyword (as a whole word) is attributed to it. Print the
        QR code on a flyer or use the link in a newsletter. Adding or removing a keyword re-derives the
        sources.
      </p>
      {phones.length > 1 && (
        <label className="field">
          <span>Links open a chat with</span>
          <select className="select" value={linkPhone} onChange={(e) => setLinkPhone(e.target.value)}>
            {phones.map((p) => (
              <option key={p.id} value={p.id}>
                {formatPhone(p.display, p.id)}
                {p.name ? ` · ${p.name}` : ''}
              </option>
            ))}
          </select>
        </label>
      )}
      <PanelState
        loading={kws.loading && !kws.data}
        error={kws.error}
        empty={kws.data?.length === 0 && 'No keyword yet.'}
      >
        <ul className="plain-list">
          {kws.data?.map((k) => (
            <KeywordRow
              key={k.keyword}
              keyword={k.keyword}
              link={waMeLink(phone?.display ?? null, k.keyword)}
              onRemove={() =>
                void run(async () => {
                  await client.api['keywords.remove']({ keyword: k.keyword });
                  kws.reload();
                })
              }
            />
          ))}
        </ul>
      </PanelState>
      <form
        className="row"
        onSubmit={async (e) => {
          e.preventDefault();
          const known = kws.data?.map((k) => k.keyword) ?? [];
          let stored: string | null = null;
          const ok = await run(async () => {
            stored = (await client.api['keywords.add']({ keyword: kw.trim() })).keyword;
          });
          setNotice(ok && stored !== null ? keywordNotice(kw, stored, known) : null);
          if (ok) {
            setKw('');
            kws.reload();
          }
        }}
      >
        <label className="field grow">
          <span>New keyword</span>
          <input
            value={kw}
            onChange={(e) => setKw(e.target.value)}
            placeholder="spring-flyer"
            maxLength={100}
          />
        </label>
        <button type="submit" className="button align-end" disabled={!kw.trim() || action.busy}>
          {action.busy ? 'Re-deriving…' : 'Add keyword'}
        </button>
      </form>
      {notice && (
        <p className="hint" role="status" data-testid="keyword-notice">
          {notice}
        </p>
      )}
      <ErrorLine error={action.error} />
    </section>
  );
}

function KeywordRow({
  keyword,
  link,
  onRemove,
}: {
  keyword: string;
  link: string | null;
  onRemove: () => void;
}) {
  const [qr, setQr] = useState<string | null>(null);
  useEffect(() => {
    if (!link) return;
    let live = true;
    QRCode.toDataURL(link, { margin: 1, width: 264, errorCorrectionLevel: 'M' }).then(
      (url) => live && setQr(url),
      () => live && setQr(null),
    );
    return () => {
      live = false;
    };
  }, [link]);
  return (
    <li className="keyword-row" data-testid="keyword">
      <div className="stack">
        <div className="row between">
          <strong>{keyword}</strong>
          <button type="button" className="button ghost small" onClick={onRemove}>
            Remove
          </button>
        </div>
        {link ? (
          <CopyBlock text={link} label={`link for ${keyword}`} />
        ) : (
          <p className="hint">The number has no display number for a wa.me link.</p>
        )}
        {qr && (
          <a className="small" href={qr} download={`qr-${keyword.replace(/[^a-z0-9]+/gi, '_')}.png`}>
            Download QR code
          </a>
        )}
      </div>
      {qr ? <img className="qr" src={qr} alt={`QR code opening WhatsApp with “${keyword}”`} /> : <span />}
    </li>
  );
}
