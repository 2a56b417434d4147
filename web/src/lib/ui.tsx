/** The small set of shared building blocks every page uses: fields, buttons, problem messages, tables, cards, figures. */
import { useId, type CSSProperties, type ReactNode, type InputHTMLAttributes, type SelectHTMLAttributes, type TextareaHTMLAttributes, type ButtonHTMLAttributes } from 'react';
import { Link } from 'react-router';
import { ApiError, type Problem } from './api.ts';
import { useI18n } from './i18n.tsx';
import { named, type Names } from './vocabulary.ts';

/** Shows an API problem (or any error) in the user's language, with per-field/row details when the API gives them. */
export function ProblemMessage({ error }: { error: unknown }) {
  const { pick, t } = useI18n();
  if (!error) return null;
  const p: Problem | undefined = error instanceof ApiError ? error.problem : undefined;
  const text = p ? pick(p.message) : error instanceof Error ? error.message : String(error);
  const details = (p?.errors ?? []).slice(0, 20);
  return (
    <div className="problem" role="alert" data-code={p?.code}>
      <strong>{text}</strong>
      {p?.code && <span className="problem-code"> [{p.code}]</span>}
      {details.length > 0 && (
        <ul>
          {details.map((d, i) => (
            <li key={i}>
              {d.row !== undefined && <>{t('第', 'Row ')}{d.row}{t(' 行：', ': ')}</>}
              {d.path ?? d.field ? <code>{d.path ?? d.field}</code> : null}{' '}
              {typeof d.message === 'string' ? d.message : pick(d.message)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

interface FieldShell { label: string; hint?: string; error?: string | null; className?: string }

/** A labelled input; the label is tied to the control for screen readers and keyboard users. */
export function Field({ label, hint, error, className, ...input }: FieldShell & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}{input.required && <span aria-hidden="true" className="req"> *</span>}</label>
      <input id={id} aria-invalid={error ? true : undefined} aria-describedby={hint || error ? `${id}-h` : undefined} {...input} />
      {(hint || error) && <small id={`${id}-h`} className={error ? 'field-error' : 'hint'}>{error ?? hint}</small>}
    </div>
  );
}

export function SelectField({ label, hint, error, className, children, ...sel }: FieldShell & SelectHTMLAttributes<HTMLSelectElement> & { children: ReactNode }) {
  const id = useId();
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}{sel.required && <span aria-hidden="true" className="req"> *</span>}</label>
      <select id={id} aria-invalid={error ? true : undefined} {...sel}>{children}</select>
      {(hint || error) && <small className={error ? 'field-error' : 'hint'}>{error ?? hint}</small>}
    </div>
  );
}

export function TextArea({ label, hint, error, className, ...ta }: FieldShell & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const id = useId();
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}{ta.required && <span aria-hidden="true" className="req"> *</span>}</label>
      <textarea id={id} aria-invalid={error ? true : undefined} {...ta} />
      {(hint || error) && <small className={error ? 'field-error' : 'hint'}>{error ?? hint}</small>}
    </div>
  );
}

export function Button({ kind = 'primary', busy, children, ...b }: ButtonHTMLAttributes<HTMLButtonElement> & { kind?: 'primary' | 'secondary' | 'danger' | 'link'; busy?: boolean }) {
  return (
    <button type="button" className={`btn btn-${kind}`} disabled={busy || b.disabled} aria-busy={busy || undefined} {...b}>
      {children}
    </button>
  );
}

export function Card({ title, actions, children, className }: { title?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string }) {
  return (
    <section className={`card ${className ?? ''}`}>
      {(title || actions) && <header className="card-head">{title && <h2>{title}</h2>}{actions && <div className="card-actions">{actions}</div>}</header>}
      {children}
    </section>
  );
}

export function PageTitle({ children, actions }: { children: ReactNode; actions?: ReactNode }) {
  return <div className="page-title"><h1>{children}</h1>{actions && <div className="page-actions">{actions}</div>}</div>;
}

export interface Column<T> { key: string; title: string; render: (row: T) => ReactNode; className?: string }

/** A plain, accessible data table with an empty state. */
export function Table<T>({ columns, rows, rowKey, empty, caption, onRowClick }: {
  columns: Column<T>[]; rows: T[]; rowKey: (r: T) => string; empty?: string; caption?: string; onRowClick?: (r: T) => void;
}) {
  const { t } = useI18n();
  return (
    <div className="table-wrap">
      <table>
        {caption && <caption>{caption}</caption>}
        <thead><tr>{columns.map((c) => <th key={c.key} scope="col" className={c.className}>{c.title}</th>)}</tr></thead>
        <tbody>
          {rows.length === 0 && <tr><td colSpan={columns.length} className="empty">{empty ?? t('暂无数据', 'Nothing here yet')}</td></tr>}
          {rows.map((r) => (
            <tr key={rowKey(r)} className={onRowClick ? 'clickable' : undefined} onClick={onRowClick ? () => onRowClick(r) : undefined}
              tabIndex={onRowClick ? 0 : undefined} onKeyDown={onRowClick ? (e) => { if (e.key === 'Enter') onRowClick(r); } : undefined}>
              {columns.map((c) => <td key={c.key} className={c.className}>{c.render(r)}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Loading() {
  const { t } = useI18n();
  return <p className="loading" role="status">{t('加载中…', 'Loading…')}</p>;
}

export function Badge({ tone = 'neutral', children }: { tone?: 'neutral' | 'good' | 'warn' | 'bad' | 'info'; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

/** A status line after a successful action (announced to screen readers). */
export function Notice({ children }: { children: ReactNode }) {
  return <div className="notice" role="status">{children}</div>;
}

/** The <option>s of a vocabulary (or of some of its values), named in the current language. */
export function VocabOptions({ names, values = Object.keys(names) }: { names: Names; values?: string[] }) {
  const { t } = useI18n();
  return <>{values.map((v) => <option key={v} value={v}>{named(names, v, t)}</option>)}</>;
}

/** One headline figure: a count (formatted for the language), or a text as it is; none yet shows "—". */
export interface Stat { label: string; value: number | string | null | undefined; to?: string }

/**
 * A row of headline figures, each a value over its label. With `label` the row is a named region (a <section>) for
 * screen readers; a figure with `to` is a link to its page. A `false` entry (a figure that does not apply) is left out.
 */
export function Stats({ items, label, style }: { items: Array<Stat | false>; label?: string; style?: CSSProperties }) {
  const { num } = useI18n();
  const shown = items.filter((s): s is Stat => s !== false);
  const figures = shown.map(({ label: l, value, to }) => {
    const body = <><div className="n">{typeof value === 'number' ? num(value) : (value ?? '—')}</div><div className="l">{l}</div></>;
    return to ? <Link key={l} className="stat stat-link" to={to}>{body}</Link> : <div key={l} className="stat">{body}</div>;
  });
  return label
    ? <section className="stats" aria-label={label} style={style}>{figures}</section>
    : <div className="stats" style={style}>{figures}</div>;
}
