/** Small pieces the warning, incident and complaint pages share. */
import type { ReactNode } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useI18n } from '../../lib/i18n.tsx';
import { Card, SelectField, VocabOptions } from '../../lib/ui.tsx';
import type { Names } from '../../lib/vocabulary.ts';

/** The trace explorer of the console (core/) for one code; a trace code is shown in full, monospaced. */
export function traceHref(code: string): string {
  return `/reg/trace?code=${encodeURIComponent(code)}`;
}

export function CodeLink({ code }: { code: string }) {
  const { t } = useI18n();
  return <Link to={traceHref(code)} title={t('查看追溯', 'Open its trace')}><code>{code}</code></Link>;
}

/** A list of codes, the first few shown and the rest behind a disclosure. */
export function CodeList({ codes, shown = 5 }: { codes: string[]; shown?: number }) {
  const { t, num } = useI18n();
  if (codes.length === 0) return <span className="muted">—</span>;
  const head = codes.slice(0, shown);
  const rest = codes.slice(shown);
  return (
    <div className="risk-codes">
      {head.map((c) => <div key={c}><CodeLink code={c} /></div>)}
      {rest.length > 0 && (
        <details>
          <summary>{t(`另外 ${num(rest.length)} 个`, `${num(rest.length)} more`)}</summary>
          {rest.map((c) => <div key={c}><CodeLink code={c} /></div>)}
        </details>
      )}
    </div>
  );
}

/** The filter form above a list. */
export function FilterBar({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Card>
      <form className="form" role="search" aria-label={label} onSubmit={(e) => e.preventDefault()}>{children}</form>
    </Card>
  );
}

/** A filter over a vocabulary, "All" first, kept in the address as `?param=` (the other parameters stay). */
export function ParamFilter({ param, label, names }: { param: string; label: string; names: Names }) {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const set = (v: string) => {
    const next = new URLSearchParams(params);
    if (v) next.set(param, v); else next.delete(param);
    setParams(next, { replace: true });
  };
  return (
    <SelectField label={label} value={params.get(param) ?? ''} onChange={(e) => set(e.target.value)}>
      <option value="">{t('全部', 'All')}</option>
      <VocabOptions names={names} />
    </SelectField>
  );
}

/** Label/value pairs as a definition list; a `false` entry (a fact that does not apply) is left out. */
export function Facts({ items }: { items: Array<[string, ReactNode] | false> }) {
  return (
    <dl className="risk-facts">
      {items.filter((x) => x !== false).map(([k, v]) => (
        <div key={k}><dt>{k}</dt><dd>{v ?? '—'}</dd></div>
      ))}
    </dl>
  );
}

/** A JSON value a rule recorded, readable without knowing the rule. */
export function FactValue({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <>—</>;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return <>{String(value)}</>;
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object' || v === null)) return <>{value.join('、')}</>;
  if (Array.isArray(value) && value.every((v) => v && typeof v === 'object' && !Array.isArray(v))) {
    // e.g. the failed items of an inspection: one line each, its fields as name=value.
    return (
      <ul className="risk-objects">
        {value.map((v, k) => (
          <li key={k}>{Object.entries(v as Record<string, unknown>).map(([f, x]) => `${f}: ${typeof x === 'object' ? JSON.stringify(x) : String(x)}`).join(' · ')}</li>
        ))}
      </ul>
    );
  }
  return <code className="risk-json">{JSON.stringify(value)}</code>;
}
