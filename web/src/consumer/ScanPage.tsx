/** @jsxRuntime automatic */
/** @jsxImportSource preact */
import { useEffect, useState } from 'preact/hooks';
import { Fragment, type ComponentChildren } from 'preact';
import type { ConsumerView, Lang, ScanData, ScanOutcomeData } from './scan-data.ts';
import { NO_TRANSLATE, TEXT, chinaTime, formatCode, type Text } from './text.ts';
import { ReportForm } from './Report.tsx';
import { OriginMap } from './OriginMap.tsx';

/**
 * The consumer scan page: one component tree, rendered to HTML by the server for the first view
 * (src/scan/scan-page.ts through ./render.tsx) and hydrated by the browser (./main.tsx) from the same embedded data.
 * It shows only what the scan view carries: origin information, never quantities, prices or other parties.
 */
export function ScanPage({ data }: { data: ScanData }) {
  const [lang, setLang] = useState<Lang>(data.lang);
  const t = TEXT[lang];
  const [first] = useState(lang);
  useEffect(() => {
    if (lang === first) return;
    // Switching in place: reloading would log the scan again.
    const url = new URL(location.href);
    url.searchParams.set('lang', lang);
    history.replaceState(null, '', url);
    document.documentElement.lang = t.htmlLang;
    document.title = pageTitle(data, lang);
  }, [lang]);

  return (
    <>
      <header class="top">
        <p>{data.nodeName}</p>
        <nav aria-label={t.langNav}>
          <a href={`?lang=${t.otherLang}`} hreflang={t.otherLang} lang={t.otherHtmlLang}
            onClick={(e) => { e.preventDefault(); setLang(t.otherLang); }}>{t.other}</a>
        </nav>
      </header>
      <main>{'view' in data ? <Found t={t} v={data.view} lang={lang} /> : <NotShown t={t} o={data} />}</main>
      <footer><p>{t.footer[0]} <a href="tel:12315">12315</a> {t.footer[1]}</p></footer>
    </>
  );
}

/** The page title: product and producer when the code is known, else what went wrong. */
export function pageTitle(d: ScanOutcomeData, lang: Lang): string {
  const t = TEXT[lang];
  if ('view' in d) {
    const names = [d.view.product?.name, d.view.producer?.name].filter((x): x is string => !!x);
    return [...names, t.title].join(' · ');
  }
  const head = d.result === 'other_node' ? t.otherH : d.result === 'unknown' ? t.unknownH : t.typoH;
  return `${head} · ${t.title}`;
}

function Alert({ tone = 'alert', head, children }: { tone?: 'alert' | 'warn'; head: string; children?: ComponentChildren }) {
  return <div class={tone} role="alert">{head}{children ? <span>{children}</span> : null}</div>;
}

function Section({ id, title, children }: { id: string; title: string; children: ComponentChildren }) {
  return <section aria-labelledby={id}><h2 id={id}>{title}</h2>{children}</section>;
}

function stepLabel(t: Text, s: ConsumerView['timeline'][number]): string {
  return (s.step === 'arrived' && s.place && t.places[s.place]) || t.steps[s.step];
}

function Found({ t, v, lang }: { t: Text; v: ConsumerView; lang: Lang }) {
  // A clone found only when this phone shares its location (the rule answers anew then).
  const [lateClone, setLateClone] = useState(false);
  const clone = v.suspectedClone;
  const kind = v.code === null ? t.lot : v.kind === 'item' ? t.item : t.batch;
  const facts: Array<[string, ComponentChildren]> = [];
  if (v.producer) facts.push([t.producer, v.producer.name]);
  if (v.origin) facts.push([t.site, <>{v.origin.site}<span class="meta">{v.origin.division}</span></>]);
  if (v.producedOn) facts.push([t.producedOn, <time datetime={v.producedOn}>{v.producedOn}</time>]);
  if (v.expiresOn) facts.push([t.expiresOn, <time datetime={v.expiresOn}>{v.expiresOn}</time>]);
  if (v.inputOrigins.length) facts.push([t.inputs, v.inputOrigins.map((p) => <span class="line" key={p.divisionCode}>{p.division}</span>)]);

  return (
    <>
      <p class="code">{kind}{v.code ? <> <span {...NO_TRANSLATE}>{formatCode(v.code)}</span></> : null}</p>
      {v.recall ? <Alert head={t.recall[v.recall.action]}>{t.recallMore[v.recall.action](chinaTime(v.recall.since, false))}</Alert> : null}
      {clone ? <Alert head={t.clone[clone.reason]}>{t.cloneMore(chinaTime(clone.since, true))}</Alert>
        : lateClone ? <Alert head={t.cloneLate} /> : null}
      {v.status === 'void' ? <Alert head={t.void(chinaTime(v.voidedAt!, false))}>{t.voidMore}</Alert>
        : v.status === 'unassigned' ? <Alert tone="warn" head={t.unassigned}>{t.unassignedMore}</Alert>
          : clone || lateClone || v.recall ? null : <p class="ok">{t.valid}</p>}
      <h1>{v.product ? <>{v.product.name}{v.product.spec ? <> <small>{v.product.spec}</small></> : null}</> : v.producer?.name ?? t.title}</h1>
      <Section id="h-origin" title={t.originH}>
        <dl>{facts.map(([k, d]) => <Fragment key={k}><dt>{k}</dt><dd>{d}</dd></Fragment>)}</dl>
        {v.origin ? <OriginMap divisionCode={v.origin.divisionCode} point={v.origin.point} label={t.mapLabel(v.origin.division)} /> : null}
      </Section>
      {/* A void label must not borrow the credibility of its batch's inspections and story: origin only. */}
      {v.status === 'void' ? null : (
        <>
          <Inspections t={t} v={v} />
          <Certificates t={t} v={v} />
          <Section id="h-tl" title={t.timelineH}>
            {v.timeline.length ? (
              <ol class="tl">{v.timeline.map((s, i) => (
                <li key={i}><time datetime={s.date} class="meta">{s.date}</time>{stepLabel(t, s)}{s.division ? <span class="meta">{s.division}</span> : null}</li>
              ))}</ol>
            ) : <p class="none">{t.noTimeline}</p>}
          </Section>
        </>
      )}
      {v.status === 'active' ? <Locate t={t} scanId={v.scanId} onClone={() => setLateClone(!clone)} /> : null}
      {/* The complaint intake takes codes in use (void ones too: a void label on sale is worth reporting). */}
      {v.status === 'unassigned' ? null : <ReportForm t={t} lang={lang} code={v.code} scanId={v.scanId} />}
    </>
  );
}

function Inspections({ t, v }: { t: Text; v: ConsumerView }) {
  return (
    <Section id="h-insp" title={t.inspectionsH}>
      {v.inspections.length ? (
        <ul class="list">{v.inspections.map((i, n) => {
          const items = i.items.map((it) => {
            const verdict = it.result === 'pass' ? t.pass : it.result === 'fail' ? t.fail : it.result;
            return `${it.name}${it.value ? ` ${it.value}` : ''}${it.limit ? t.limit(it.limit) : ''}${verdict ? t.colon + verdict : ''}`;
          }).join(t.list);
          const meta = [i.division, i.reportNo && `${t.reportNo} ${i.reportNo}`].filter(Boolean).join(' · ');
          const kind = i.kind && (t.inspectionKinds[i.kind] ?? i.kind);
          return (
            <li key={n}>
              {i.result === 'pass' ? <strong class="pass">{t.pass}</strong> : i.result === 'fail' ? <strong class="fail">{t.fail}</strong> : t.unknownResult}
              {kind ? ` · ${kind}` : null} <time datetime={i.date} class="meta">{i.date}</time>
              {items ? <span class="meta">{items}</span> : null}
              {meta ? <span class="meta">{meta}</span> : null}
            </li>
          );
        })}</ul>
      ) : <p class="none">{t.noInspections}</p>}
    </Section>
  );
}

function Certificates({ t, v }: { t: Text; v: ConsumerView }) {
  return (
    <Section id="h-cert" title={t.certificatesH}>
      {v.certificates.length ? (
        <ul class="list">{v.certificates.map((c, n) => {
          const head = (c.type && (t.certTypes[c.type] ?? c.type)) ?? c.uri ?? '';
          const meta = [c.number && `${t.number} ${c.number}`, c.issuer && `${t.issuer} ${c.issuer}`, c.issuedOn && `${t.issuedOn} ${c.issuedOn}`]
            .filter(Boolean).join(' · ');
          return <li key={n}>{head}{meta ? <span class="meta">{meta}</span> : null}</li>;
        })}</ul>
      ) : <p class="none">{t.noCertificates}</p>}
    </Section>
  );
}

type LocateState = 'hidden' | 'ready' | 'busy' | 'done' | 'failed' | 'refused';

/**
 * Offers the coarse location (rounded to 0.1° here and again by the server) to help the clone rule. Rendered hidden:
 * it shows itself once the script runs in a browser that can locate.
 */
function Locate({ t, scanId, onClone }: { t: Text; scanId: string; onClone(): void }) {
  const [state, setState] = useState<LocateState>('hidden');
  useEffect(() => { if ('geolocation' in navigator) setState('ready'); }, []);
  const url = `/scans/${scanId}/location`;
  const go = () => {
    setState('busy');
    navigator.geolocation.getCurrentPosition(async (p) => {
      const r = (x: number) => Math.round(x * 10) / 10;
      try {
        const res = await fetch(url, {
          method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ lat: r(p.coords.latitude), lng: r(p.coords.longitude) }),
        });
        if (!res.ok) { setState('refused'); return; }
        const body = await res.json();
        setState('done');
        if (body?.suspectedClone) onClone();
      } catch { setState('refused'); }
    }, () => setState('failed'), { maximumAge: 600_000, timeout: 15_000 });
  };
  const label = state === 'busy' ? t.locating : state === 'done' ? t.located : t.locate;
  return (
    <p class="locate">
      <button type="button" id="loc" hidden={state === 'hidden'} data-url={url} disabled={state === 'busy' || state === 'done'} onClick={go}>{label}</button>
      {state === 'failed' || state === 'refused' ? <span class="meta" role="status">{state === 'failed' ? t.locateFailed : t.locateRefused}</span> : null}
    </p>
  );
}

function NotShown({ t, o }: { t: Text; o: Exclude<ScanOutcomeData, { view: ConsumerView }> }) {
  if (o.result === 'other_node') {
    return <><p class="code" {...NO_TRANSLATE}>{formatCode(o.code)}</p><h1>{t.otherH}</h1><p>{t.otherP(o.issuedBy)}</p></>;
  }
  if (o.result === 'unknown') {
    return <>{o.code ? <p class="code" {...NO_TRANSLATE}>{formatCode(o.code)}</p> : null}<h1>{t.unknownH}</h1><p>{t.unknownP}</p></>;
  }
  const code = o.problem.code;
  const why = code === 'CODE_CHECKSUM' ? t.problems.CODE_CHECKSUM : code.startsWith('GTIN') ? t.problems.GTIN : t.problems.CODE_FORMAT;
  return <><p class="code" {...NO_TRANSLATE}>{o.input}</p><h1>{t.typoH}</h1><p>{why + t.sep + t.typoP}</p></>;
}
