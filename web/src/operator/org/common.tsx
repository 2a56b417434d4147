/**
 * Shared pieces of the operator workbench (organisation part, record forms, registration): API views, queries of the
 * signed-in operator, per-field API errors, the USCC check, division picker, copy button.
 */
import { useEffect, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { ApiError, get, qs } from '../../lib/api.ts';
import { useDivision, type Division } from '../../lib/divisions.ts';
import { useMe, type Me } from '../../lib/auth.tsx';
import { useI18n, type Bilingual } from '../../lib/i18n.tsx';
import { Button, SelectField } from '../../lib/ui.tsx';
import { OPERATOR_TYPE_NAMES, type OperatorType, type SiteKind } from '../../../../src/registry/registry-types.ts';
import { DomainError } from '../../../../src/platform/errors.ts';
import { normaliseUscc } from '../../../../src/registry/uscc.ts';

export { OPERATOR_TYPES, OPERATOR_TYPE_NAMES, SITE_KINDS } from '../../../../src/registry/registry-types.ts';

// Views as the API presents them (src/*/*-service.ts present* functions).
export interface Licence { id: string; type: string; number: string; issuer: string | null; validUntil: string | null }
export interface Operator {
  id: string; uscc: string; name: string; types: OperatorType[]; divisionCode: string; divisionName: string; address: string | null;
  lat: number | null; lng: number | null; contactName: string | null; contactPhone: string | null;
  status: 'pending' | 'approved' | 'rejected' | 'suspended'; licences: Licence[]; createdAt: string;
}
export interface Review { from: string | null; to: string; actorRole: string; reason: string | null; at: string }
export interface Site {
  id: string; name: string; kind: SiteKind; divisionCode: string; divisionName: string; address: string | null;
  lat: number | null; lng: number | null; gln: string | null; createdAt: string;
}
export interface Product {
  id: string; name: string; categoryCode: string; spec: string | null; unit: string; shelfLifeDays: number | null;
  gtin: string | null; keyTraced: boolean; createdAt: string;
}
export interface Category { code: string; parentCode: string | null; nameZh: string; nameEn: string; keyTraced: boolean }
export interface CodeRef { code: string; display: string; kind: 'batch' | 'item'; status: string; scanUrl: string; digitalLink: string | null }
export interface Batch {
  id: string; productId: string; productName: string; gtin: string | null; operatorId: string; operatorName: string;
  site: { id: string; name: string; divisionCode: string; divisionName: string };
  lotNumber: string; quantity: string; unit: string; producedOn: string; expiresOn: string | null; batchCode: CodeRef | null; createdAt: string;
}
export interface Pool {
  id: string; ownerOperatorId: string; printerOperatorId: string | null; kind: 'batch' | 'item'; size: number; note: string | null;
  counts: { unassigned: number; active: number; void: number }; createdAt: string;
}

export const isAdmin = (me: Me) => me.role === 'operator-admin';
/** Operator admin and staff do the day-to-day work (products, batches, codes, records); a printer does not. */
export const WORKERS = ['operator-admin', 'operator-staff'] as const;
export const isWorker = (me: Me) => (WORKERS as readonly string[]).includes(me.role);

export const SITE_KIND_NAMES: Record<SiteKind, [string, string]> = {
  farm_plot: ['种养殖地块', 'farm plot'], plant: ['生产加工厂', 'plant'], warehouse: ['仓库', 'warehouse'], stall: ['摊位', 'market stall'],
  shop: ['门店', 'shop'], kitchen: ['后厨', 'kitchen'], port: ['口岸', 'port'],
};
export const STATUS_NAMES: Record<string, [string, string, 'good' | 'warn' | 'bad' | 'info' | 'neutral']> = {
  pending: ['待审核', 'pending review', 'warn'], approved: ['已通过', 'approved', 'good'], rejected: ['已驳回', 'rejected', 'bad'],
  suspended: ['已暂停', 'suspended', 'bad'], active: ['已激活', 'active', 'good'], unassigned: ['未激活', 'unassigned', 'info'], void: ['已作废', 'void', 'bad'],
};

/** The operator type's name in the current language. */
export function useTypeName() {
  const { t } = useI18n();
  return (k: OperatorType) => t(OPERATOR_TYPE_NAMES[k][0], OPERATOR_TYPE_NAMES[k][1]);
}
/** The site kind's name in the current language. */
export function useKindName() {
  const { t } = useI18n();
  return (k: SiteKind) => (SITE_KIND_NAMES[k] ? t(SITE_KIND_NAMES[k][0], SITE_KIND_NAMES[k][1]) : k);
}

const normField = (f: unknown) => (typeof f === 'string' ? f.replace(/^body\./, '') : '');

/**
 * The API's message for one field of a form: a domain problem names its field (`field`), a schema failure lists
 * `errors[].field` (`body.` prefixes dropped). Names match exactly; a name ending in `.*` matches the field and everything under it.
 */
export function fieldErrorOf(error: unknown, pick: (b: Bilingual) => string, ...names: string[]): string | null {
  if (!(error instanceof ApiError)) return null;
  const p = error.problem;
  const hit = (f: string) => !!f && names.some((n) => (n.endsWith('.*') ? f === n.slice(0, -2) || f.startsWith(n.slice(0, -1)) : f === n));
  const listed = (p.errors ?? []).find((e) => hit(normField(e.field ?? e.path)));
  if (listed) return typeof listed.message === 'string' ? listed.message : listed.message ? pick(listed.message) : pick(p.message);
  if (hit(normField(p.field))) return pick(p.message);
  return null;
}

/** `fieldErrorOf` bound to one error, for <Field error>: the message naming the field or anything under it. */
export function useFieldError(error: unknown) {
  const { pick } = useI18n();
  return (name: string): string | null => fieldErrorOf(error, pick, name, `${name}.*`);
}

/**
 * Runs one of the API's own (pure) validation functions in the browser before sending, so a form refuses exactly what
 * the API would; a refusal becomes the same problem (code, message, field) the API answers with.
 */
export function precheck<T>(fn: () => T): T {
  try { return fn(); } catch (e) {
    if (e instanceof DomainError) throw new ApiError({ ...e.details, status: 400, code: e.code, message: { zh: e.zh, en: e.en } });
    throw e;
  }
}

/**
 * The signed-in account's operator (refreshed on focus so a status change after review shows up). These queries are
 * the only ones under their keys: the record forms use them too, so both parts share one cache entry of one shape.
 */
export function useOperator() {
  const me = useMe();
  return useQuery({ queryKey: ['operator', me.operatorId], queryFn: () => get<Operator>(`/api/v1/operators/${me.operatorId}`), enabled: !!me.operatorId });
}
/** The signed-in operator's sites. */
export function useSites() {
  const me = useMe();
  return useQuery({ queryKey: ['sites', me.operatorId], queryFn: async () => (await get<{ items: Site[] }>(`/api/v1/operators/${me.operatorId}/sites`)).items, enabled: !!me.operatorId });
}
/** The signed-in operator's products (the first 500). */
export function useProducts() {
  const me = useMe();
  return useQuery({ queryKey: ['products', me.operatorId], queryFn: () => get<{ items: Product[]; total: number }>(`/api/v1/operators/${me.operatorId}/products?limit=500`), enabled: !!me.operatorId });
}
/** The registry's answer about a USCC (GET /api/v1/registry/check-uscc). */
export interface UsccCheck { uscc: string; valid: boolean; problem: string | null; message: Bilingual | null; registered: { id: string; name: string; status: string } | null }

/**
 * The registry's check of a typed USCC (checksum, registered already?), asked once typing pauses and only from
 * `minLength` normalised characters on; null while there is nothing current to show, never the answer for an older value.
 */
export function useUsccCheck(raw: string, minLength = 18): UsccCheck | null {
  const uscc = normaliseUscc(raw);
  const [settled, setSettled] = useState(uscc);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(uscc), 250);
    return () => clearTimeout(timer);
  }, [uscc]);
  const ask = settled === uscc && uscc.length >= minLength && uscc.length > 0;
  const q = useQuery({
    queryKey: ['check-uscc', uscc], enabled: ask, staleTime: 60_000,
    queryFn: () => get<UsccCheck>(`/api/v1/registry/check-uscc${qs({ uscc })}`),
  });
  return ask ? q.data ?? null : null;
}

/** The key-trace category tree. */
export function useCategories() {
  return useQuery({ queryKey: ['categories'], queryFn: () => get<{ asOf: string; items: Category[] }>('/api/v1/categories'), staleTime: 600_000 });
}

/**
 * Province → city → county picker over GET /api/v1/divisions/:code. `value` is the chosen 6-digit code (the deepest
 * level picked); a province or city alone is a valid GB/T 2260 code too.
 */
export function DivisionPicker({ value, onChange, required, error, label }: {
  value: string; onChange: (code: string) => void; required?: boolean; error?: string | null; label?: string;
}) {
  const { t } = useI18n();
  // The chain of chosen codes, rebuilt from `value` when it is set from outside (e.g. from a USCC).
  const [chain, setChain] = useState<string[]>([]);
  useEffect(() => {
    if (!value) { setChain([]); return; }
    if (chain.at(-1) === value) return;
    let stop = false;
    get<Division>(`/api/v1/divisions/${value}`).then((d) => {
      if (stop) return;
      const codes: string[] = [];
      for (let x: string | null = d.code, guard = 0; x && guard < 3; guard++) {
        codes.unshift(x);
        x = x === d.code ? d.parent : parentOf(x);
      }
      setChain(codes);
    }).catch(() => setChain([]));
    return () => { stop = true; };
  }, [value]);
  const levels = ['000000', ...chain].slice(0, 3);
  const names = [t('省', 'Province'), t('市', 'City'), t('区县', 'County')];
  const pickAt = (i: number, code: string) => {
    const next = [...chain.slice(0, i), ...(code ? [code] : [])];
    setChain(next);
    onChange(next.at(-1) ?? '');
  };
  return (
    <fieldset className="group wide">
      <legend>{label ?? t('行政区划', 'Division')}{required && <span aria-hidden="true" className="req"> *</span>}</legend>
      <div className="row">
        {levels.map((parent, i) => (
          <DivisionLevel key={`${i}-${parent}`} parent={parent} label={names[i]} value={chain[i] ?? ''} required={required && i === 0}
            onChange={(c) => pickAt(i, c)} />
        ))}
      </div>
      {value && <small className="hint">{t('区划代码', 'Division code')}: <code>{value}</code></small>}
      {error && <small className="field-error" role="alert">{error}</small>}
    </fieldset>
  );
}

function parentOf(code: string): string | null {
  if (code.endsWith('0000')) return null;
  if (code.endsWith('00')) return `${code.slice(0, 2)}0000`;
  return `${code.slice(0, 4)}00`;
}

function DivisionLevel({ parent, label, value, onChange, required }: { parent: string; label: string; value: string; onChange: (c: string) => void; required?: boolean }) {
  const { t } = useI18n();
  const q = useDivision(parent);
  const children = q.data?.children ?? [];
  if (q.data && children.length === 0) return null;
  return (
    <SelectField label={label} value={value} required={required} onChange={(e) => onChange(e.target.value)} disabled={!q.data}>
      <option value="">{q.isLoading ? t('加载中…', 'Loading…') : t('请选择', 'Choose')}</option>
      {children.map((c) => <option key={c.code} value={c.code}>{c.name}</option>)}
    </SelectField>
  );
}

/** Copies a text to the clipboard and says so. */
export function CopyButton({ text, label }: { text: string; label?: string }) {
  const { t } = useI18n();
  const [done, setDone] = useState(false);
  return (
    <Button kind="secondary" onClick={async () => {
      try { await navigator.clipboard.writeText(text); setDone(true); setTimeout(() => setDone(false), 2000); } catch { setDone(false); }
    }}>
      {done ? t('已复制', 'Copied') : (label ?? t('复制', 'Copy'))}
    </Button>
  );
}

