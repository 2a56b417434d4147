import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, get } from '../../lib/api.ts';
import { useAuth } from '../../lib/auth.tsx';
import { useI18n } from '../../lib/i18n.tsx';
import { Badge, Button, Card, Field, Loading, Notice, PageTitle, ProblemMessage, SelectField, TextArea, VocabOptions } from '../../lib/ui.tsx';
import { named } from '../../lib/vocabulary.ts';
import { WARNING_SEVERITIES } from './labels.ts';
import { FactValue } from './parts.tsx';
import type { RuleEntry } from './Warnings.tsx';

interface SettingsView { rule: string; defaults: Record<string, unknown>; overrides: Record<string, unknown>; effective: Record<string, unknown>; updatedAt: string | null }

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The rule catalogue: what each rule checks, when it runs, and its thresholds in force. A platform admin edits a
 * rule's thresholds here (the API admits only admins to the settings); regulators read them.
 */
export function RiskRules() {
  const { t, pick } = useI18n();
  const { me } = useAuth();
  const admin = me?.role === 'platform-admin';
  const rules = useQuery({ queryKey: ['risk-rules'], queryFn: () => get<{ items: RuleEntry[] }>('/api/v1/risk/rules') });
  const settings = useQuery({ queryKey: ['risk-settings'], enabled: admin, queryFn: () => get<{ items: SettingsView[] }>('/api/v1/risk/settings') });
  const [editing, setEditing] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  if (rules.isLoading) return <Loading />;
  return (
    <>
      <PageTitle actions={<Link to="/reg/warnings">{t('返回预警列表', 'Back to warnings')}</Link>}>{t('预警规则与阈值', 'Warning rules and thresholds')}</PageTitle>
      <ProblemMessage error={rules.error ?? settings.error} />
      {!admin && <p className="muted">{t('阈值由平台管理员设置。', 'Thresholds are set by the platform admin.')}</p>}
      {rules.data?.items.map((r) => {
        const view = settings.data?.items.find((s) => s.rule === r.id);
        const overridden = view ? Object.keys(view.overrides).length > 0 : r.settings.some((s) => !same(s.value, s.default));
        return (
          <Card key={r.id} title={<>{r.item}. {pick(r.name)}</>}
            actions={<>
              {overridden && <Badge tone="warn">{t('已调整', 'Adjusted')}</Badge>}
              {admin && view && editing !== r.id && <Button kind="secondary" onClick={() => { setSaved(null); setEditing(r.id); }}>{t('修改', 'Edit')}</Button>}
            </>}>
            {saved === r.id && <Notice>{t('已保存，新阈值即时生效。', 'Saved; the new thresholds apply from now on.')}</Notice>}
            <p>{pick(r.description)}</p>
            <p className="muted">{t('运行时机：', 'Runs: ')}{r.triggers.map((x) => (x === 'capture' ? t('记录采集后', 'after capture') : t('定时', 'on schedule'))).join(t('、', ', '))}</p>
            {editing === r.id && view ? (
              <RuleEditor rule={r} view={view} onDone={(ok) => { setEditing(null); setSaved(ok ? r.id : null); }} />
            ) : (
              <div className="table-wrap">
                <table>
                  <caption className="visually-hidden">{t('设置', 'Settings')}</caption>
                  <thead><tr><th scope="col">{t('设置', 'Setting')}</th><th scope="col">{t('当前值', 'In force')}</th><th scope="col">{t('默认值', 'Default')}</th></tr></thead>
                  <tbody>
                    {r.settings.map((s) => (
                      <tr key={s.key}>
                        <td><code>{s.key}</code><div className="muted">{pick(s.description)}</div></td>
                        <td><SettingValue name={s.key} value={s.value} /></td>
                        <td className="muted"><SettingValue name={s.key} value={s.default} /></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Card>
        );
      })}
    </>
  );
}

/** Whether a rule setting names a warning severity (`severity`, `…Severity`). */
const isSeverity = (key: string) => key === 'severity' || key.endsWith('Severity');

/** A setting's value: severities and yes/no in words, the rest as the API gives it. */
function SettingValue({ name, value }: { name: string; value: unknown }) {
  const { t } = useI18n();
  if (isSeverity(name)) return <>{named(WARNING_SEVERITIES, String(value), t)}</>;
  if (typeof value === 'boolean') return <>{value ? t('是', 'Yes') : t('否', 'No')}</>;
  return <FactValue value={value} />;
}

type Draft = Record<string, string | boolean>;

/** Form for one rule's thresholds: booleans as checkboxes, severities as choices, numbers, lists one per line, the rest as JSON. */
function RuleEditor({ rule, view, onDone }: { rule: RuleEntry; view: SettingsView; onDone: (saved: boolean) => void }) {
  const { t, pick } = useI18n();
  const client = useQueryClient();
  const kindOf = (v: unknown) => (typeof v === 'boolean' ? 'bool' : typeof v === 'number' ? 'number'
    : Array.isArray(v) && v.every((x) => typeof x === 'string') ? 'lines' : typeof v === 'string' ? 'text' : 'json');
  const initial: Draft = Object.fromEntries(rule.settings.map((s) => {
    const v = view.effective[s.key];
    const k = kindOf(view.defaults[s.key]);
    return [s.key, k === 'bool' ? Boolean(v) : k === 'lines' ? (v as string[]).join('\n') : k === 'json' ? JSON.stringify(v, null, 2) : String(v ?? '')];
  }));
  const [draft, setDraft] = useState<Draft>(initial);
  const [localError, setLocalError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (settings: Record<string, unknown>) => api('PUT', '/api/v1/risk/settings', { rule: rule.id, settings }),
    // The table shows the values in force once they are read back, not before.
    onSuccess: async () => {
      await Promise.all([client.invalidateQueries({ queryKey: ['risk-rules'] }), client.invalidateQueries({ queryKey: ['risk-settings'] })]);
      onDone(true);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setLocalError(null);
    const out: Record<string, unknown> = {};
    for (const s of rule.settings) {
      const k = kindOf(view.defaults[s.key]);
      const raw = draft[s.key];
      let v: unknown;
      if (k === 'bool') v = raw;
      else if (k === 'number') {
        v = Number(raw);
        if (raw === '' || !Number.isFinite(v)) { setLocalError(t(`${s.key} 须为数字`, `${s.key} must be a number`)); return; }
      } else if (k === 'lines') v = String(raw).split('\n').map((x) => x.trim()).filter(Boolean);
      else if (k === 'json') {
        try { v = JSON.parse(String(raw)); } catch { setLocalError(t(`${s.key} 不是有效的 JSON`, `${s.key} is not valid JSON`)); return; }
      } else v = raw;
      // Only what differs from the default is an override; the rest follows future defaults.
      if (!same(v, view.defaults[s.key])) out[s.key] = v;
    }
    save.mutate(out);
  };
  return (
    <form className="form" onSubmit={submit} aria-label={t(`修改规则：${pick(rule.name)}`, `Edit rule: ${pick(rule.name)}`)}>
      {rule.settings.map((s) => {
        const k = kindOf(view.defaults[s.key]);
        const label = `${s.key} — ${pick(s.description)}`;
        const value = draft[s.key];
        const set = (v: string | boolean) => setDraft((d) => ({ ...d, [s.key]: v }));
        if (k === 'bool') {
          return (
            <label key={s.key} className="risk-check">
              <input type="checkbox" checked={Boolean(value)} onChange={(e) => set(e.target.checked)} /> {label}
            </label>
          );
        }
        if (isSeverity(s.key)) {
          return (
            <SelectField key={s.key} label={label} value={String(value)} onChange={(e) => set(e.target.value)}>
              <VocabOptions names={WARNING_SEVERITIES} />
            </SelectField>
          );
        }
        if (k === 'number') return <Field key={s.key} label={label} type="number" step="any" required value={String(value)} onChange={(e) => set(e.target.value)} />;
        if (k === 'text') return <Field key={s.key} label={label} value={String(value)} onChange={(e) => set(e.target.value)} />;
        return (
          <TextArea key={s.key} className="wide" label={label} value={String(value)} onChange={(e) => set(e.target.value)} rows={k === 'json' ? 6 : 4}
            hint={k === 'lines' ? t('每行一项', 'One per line') : t('JSON 格式', 'JSON')} spellCheck={false} />
        );
      })}
      <ProblemMessage error={localError} />
      <ProblemMessage error={save.error} />
      <div className="form-actions">
        <Button type="submit" busy={save.isPending}>{t('保存', 'Save')}</Button>
        <Button kind="secondary" busy={save.isPending} onClick={() => save.mutate({})}>{t('恢复默认值', 'Restore the defaults')}</Button>
        <Button kind="link" onClick={() => onDone(false)}>{t('取消', 'Cancel')}</Button>
      </div>
    </form>
  );
}
