import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post } from '../../lib/api.ts';
import { useMe } from '../../lib/auth.tsx';
import { useI18n } from '../../lib/i18n.tsx';
import { Badge, Button, Card, Field, Loading, Notice, PageTitle, ProblemMessage, SelectField, Table } from '../../lib/ui.tsx';
import { gs1CheckDigit } from '../../../../src/catalog/gtin.ts';
import { CopyButton, DivisionPicker, SITE_KINDS, isAdmin, useFieldError, useKindName, useOperator, useSites, type Site } from './common.tsx';

type Tab = 'sites' | 'staff' | 'keys' | 'licences';

/** Organisation: sites, staff accounts and API keys (operator-admin), licences. */
export function Organisation() {
  const me = useMe();
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const admin = isAdmin(me);
  const tabs: [Tab, string][] = [
    ['sites', t('场所', 'Sites')],
    ...(admin ? [['staff', t('员工账号', 'Staff accounts')], ['keys', t('API 密钥', 'API keys')]] as [Tab, string][] : []),
    ['licences', t('许可证', 'Licences')],
  ];
  const want = params.get('tab') as Tab | null;
  const tab: Tab = tabs.some(([k]) => k === want) ? want! : 'sites';
  return (
    <>
      <PageTitle>{t('组织', 'Organisation')}</PageTitle>
      <div className="tabs" role="tablist" aria-label={t('组织', 'Organisation')}>
        {tabs.map(([k, name]) => (
          <button key={k} type="button" role="tab" id={`tab-${k}`} aria-selected={tab === k} aria-controls={`panel-${k}`}
            onClick={() => setParams({ tab: k }, { replace: true })}>{name}</button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'sites' && <Sites />}
        {tab === 'staff' && admin && <Staff />}
        {tab === 'keys' && admin && <ApiKeys />}
        {tab === 'licences' && <Licences />}
      </div>
    </>
  );
}

function Sites() {
  const me = useMe();
  const { t, dt } = useI18n();
  const kindName = useKindName();
  const sites = useSites();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [added, setAdded] = useState<Site | null>(null);
  return (
    <>
      {added && <Notice>{t(`已添加场所“${added.name}”`, `Site "${added.name}" added`)}</Notice>}
      <Card title={t('场所列表', 'Sites')} actions={isAdmin(me) && !open ? <Button onClick={() => { setOpen(true); setAdded(null); }}>{t('添加场所', 'Add a site')}</Button> : undefined}>
        {open && <SiteForm onDone={(s) => { setOpen(false); setAdded(s); qc.invalidateQueries({ queryKey: ['sites'] }); }} onCancel={() => setOpen(false)} />}
        {sites.isLoading ? <Loading /> : <ProblemMessage error={sites.error} />}
        {sites.data && (
          <Table rows={sites.data} rowKey={(s) => s.id} empty={t('还没有场所', 'No sites yet')} columns={[
            { key: 'name', title: t('名称', 'Name'), render: (s) => s.name },
            { key: 'kind', title: t('类型', 'Kind'), render: (s) => kindName(s.kind) },
            { key: 'division', title: t('行政区划', 'Division'), render: (s) => <>{s.divisionName} <code>{s.divisionCode}</code></> },
            { key: 'address', title: t('地址', 'Address'), render: (s) => s.address ?? '—' },
            { key: 'geo', title: t('经纬度', 'Lat, lng'), render: (s) => (s.lat != null ? `${s.lat}, ${s.lng}` : '—') },
            { key: 'gln', title: 'GLN', render: (s) => (s.gln ? <code>{s.gln}</code> : '—') },
            { key: 'at', title: t('添加时间', 'Added'), render: (s) => dt(s.createdAt, false) },
          ]} />
        )}
      </Card>
    </>
  );
}

function SiteForm({ onDone, onCancel }: { onDone: (s: Site) => void; onCancel: () => void }) {
  const me = useMe();
  const { t } = useI18n();
  const kindName = useKindName();
  const [f, setF] = useState({ name: '', kind: 'farm_plot', divisionCode: '', address: '', lat: '', lng: '', gln: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fieldError = useFieldError(error);
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF((x) => ({ ...x, [k]: e.target.value }));
  // Same GLN rule as the API: 13 digits with the GS1 mod-10 check digit.
  const glnProblem = f.gln && (!/^\d{13}$/.test(f.gln) || gs1CheckDigit(f.gln.slice(0, 12)) !== Number(f.gln[12]))
    ? t('GLN 须为 13 位且校验位正确', 'A GLN has 13 digits with a valid check digit') : null;
  const coordProblem = (f.lat === '') !== (f.lng === '') ? t('经纬度须同时提供', 'Give both latitude and longitude') : null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (glnProblem || coordProblem) return;
    setBusy(true); setError(null);
    const num = (s: string) => (s.trim() === '' ? null : Number(s));
    try {
      onDone(await post<Site>(`/api/v1/operators/${me.operatorId}/sites`, {
        name: f.name, kind: f.kind, divisionCode: f.divisionCode, address: f.address || null, lat: num(f.lat), lng: num(f.lng), gln: f.gln || null,
      }));
    } catch (err) { setError(err); } finally { setBusy(false); }
  };
  return (
    <form className="form" onSubmit={submit} aria-label={t('添加场所', 'Add a site')} style={{ marginBottom: 16 }}>
      <Field label={t('场所名称', 'Site name')} required maxLength={200} value={f.name} onChange={set('name')} error={fieldError('name')} />
      <SelectField label={t('场所类型', 'Site kind')} required value={f.kind} onChange={set('kind')}>
        {SITE_KINDS.map((k) => <option key={k} value={k}>{kindName(k)}</option>)}
      </SelectField>
      <DivisionPicker value={f.divisionCode} onChange={(c) => setF((x) => ({ ...x, divisionCode: c }))} required error={fieldError('divisionCode')} />
      <Field label={t('地址', 'Address')} maxLength={500} value={f.address} onChange={set('address')} className="wide" />
      <Field label={t('纬度', 'Latitude')} type="number" step="any" min={-90} max={90} value={f.lat} onChange={set('lat')} error={coordProblem ?? fieldError('lat')} />
      <Field label={t('经度', 'Longitude')} type="number" step="any" min={-180} max={180} value={f.lng} onChange={set('lng')} />
      <Field label={t('GLN（可选）', 'GLN (optional)')} inputMode="numeric" maxLength={13} value={f.gln} onChange={set('gln')} error={glnProblem ?? fieldError('gln')} />
      <ProblemMessage error={error} />
      <div className="form-actions">
        <Button type="submit" busy={busy}>{t('保存场所', 'Save site')}</Button>
        <Button kind="secondary" onClick={onCancel}>{t('取消', 'Cancel')}</Button>
      </div>
    </form>
  );
}

interface User { id: string; username: string; displayName: string; role: string; active: boolean; createdAt: string }

function Staff() {
  const me = useMe();
  const { t, dt } = useI18n();
  const qc = useQueryClient();
  const users = useQuery({ queryKey: ['users', me.operatorId], queryFn: async () => (await get<{ items: User[] }>('/api/v1/users')).items });
  const [f, setF] = useState({ username: '', displayName: '', password: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [rowError, setRowError] = useState<unknown>(null);
  const [created, setCreated] = useState<User | null>(null);
  const fieldError = useFieldError(error);
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF((x) => ({ ...x, [k]: e.target.value }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true); setError(null); setCreated(null);
    try {
      setCreated(await post<User>('/api/v1/users', { ...f, role: 'operator-staff', operatorId: me.operatorId }));
      setF({ username: '', displayName: '', password: '' });
      qc.invalidateQueries({ queryKey: ['users'] });
    } catch (err) { setError(err); } finally { setBusy(false); }
  };
  const toggle = async (u: User) => {
    setRowError(null);
    try { await post(`/api/v1/users/${u.id}/${u.active ? 'disable' : 'enable'}`); qc.invalidateQueries({ queryKey: ['users'] }); } catch (err) { setRowError(err); }
  };
  const roleName = (r: string) => (r === 'operator-admin' ? t('管理员', 'Admin') : r === 'operator-staff' ? t('员工', 'Staff') : r === 'printer' ? t('印刷', 'Printer') : r);
  return (
    <>
      <Card title={t('新建员工账号', 'New staff account')}>
        {created && <Notice>{t(`已创建员工账号 ${created.username}`, `Staff account ${created.username} created`)}</Notice>}
        <form className="form" onSubmit={submit} aria-label={t('新建员工账号', 'New staff account')}>
          <Field label={t('用户名', 'Username')} required minLength={3} maxLength={64} pattern="[A-Za-z0-9_.@\-]{3,64}" autoComplete="off"
            value={f.username} onChange={set('username')} hint={t('3–64 位字母、数字或 _ . @ -', '3–64 letters, digits or _ . @ -')} error={fieldError('username')} />
          <Field label={t('显示名称', 'Display name')} required maxLength={100} value={f.displayName} onChange={set('displayName')} error={fieldError('displayName')} />
          <Field label={t('初始密码', 'Initial password')} type="password" required minLength={8} maxLength={200} autoComplete="new-password"
            value={f.password} onChange={set('password')} hint={t('至少 8 位', 'At least 8 characters')} error={fieldError('password')} />
          <ProblemMessage error={error} />
          <div className="form-actions"><Button type="submit" busy={busy}>{t('创建账号', 'Create account')}</Button></div>
        </form>
      </Card>
      <Card title={t('账号列表', 'Accounts')}>
        <ProblemMessage error={rowError ?? users.error} />
        {users.isLoading && <Loading />}
        {users.data && (
          <Table rows={users.data} rowKey={(u) => u.id} columns={[
            { key: 'u', title: t('用户名', 'Username'), render: (u) => <code>{u.username}</code> },
            { key: 'n', title: t('显示名称', 'Display name'), render: (u) => u.displayName },
            { key: 'r', title: t('角色', 'Role'), render: (u) => roleName(u.role) },
            { key: 's', title: t('状态', 'Status'), render: (u) => (u.active ? <Badge tone="good">{t('启用', 'Active')}</Badge> : <Badge tone="bad">{t('已停用', 'Disabled')}</Badge>) },
            { key: 'c', title: t('创建时间', 'Created'), render: (u) => dt(u.createdAt, false) },
            {
              key: 'a', title: t('操作', 'Actions'), render: (u) => (u.role === 'operator-staff' ? (
                <Button kind={u.active ? 'danger' : 'secondary'} onClick={() => toggle(u)} aria-label={`${u.active ? t('停用', 'Disable') : t('启用', 'Enable')} ${u.username}`}>
                  {u.active ? t('停用', 'Disable') : t('启用', 'Enable')}
                </Button>
              ) : '—'),
            },
          ]} />
        )}
      </Card>
    </>
  );
}

interface ApiKey { id: string; name: string; prefix: string; createdAt: string; revokedAt: string | null; lastUsedAt: string | null }

function ApiKeys() {
  const me = useMe();
  const { t, dt } = useI18n();
  const qc = useQueryClient();
  const keys = useQuery({ queryKey: ['api-keys', me.operatorId], queryFn: async () => (await get<{ items: ApiKey[] }>(`/api/v1/operators/${me.operatorId}/api-keys`)).items });
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [fresh, setFresh] = useState<(ApiKey & { key: string }) | null>(null);
  const fieldError = useFieldError(error);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true); setError(null); setFresh(null);
    try {
      setFresh(await post<ApiKey & { key: string }>(`/api/v1/operators/${me.operatorId}/api-keys`, { name }));
      setName('');
      qc.invalidateQueries({ queryKey: ['api-keys'] });
    } catch (err) { setError(err); } finally { setBusy(false); }
  };
  const revoke = async (k: ApiKey) => {
    if (!window.confirm(t(`撤销密钥“${k.name}”？使用它的系统将无法再调用接口。`, `Revoke the key "${k.name}"? Systems using it will be refused.`))) return;
    setError(null);
    try { await post(`/api/v1/api-keys/${k.id}/revoke`); qc.invalidateQueries({ queryKey: ['api-keys'] }); } catch (err) { setError(err); }
  };
  return (
    <>
      <Card title={t('签发 API 密钥', 'Issue an API key')}>
        <p className="muted">{t('API 密钥以本主体员工的身份调用接口（如 ERP、产线系统）。', 'An API key calls the API as staff of this operator (ERP, production line systems).')}</p>
        <form className="form" onSubmit={submit} aria-label={t('签发 API 密钥', 'Issue an API key')}>
          <Field label={t('密钥名称', 'Key name')} required maxLength={100} value={name} onChange={(e) => setName(e.target.value)}
            placeholder={t('如：产线 1 号', 'e.g. line 1')} error={fieldError('name')} />
          <ProblemMessage error={error} />
          <div className="form-actions"><Button type="submit" busy={busy}>{t('签发', 'Issue')}</Button></div>
        </form>
        {fresh && (
          <div className="notice" role="status" style={{ marginTop: 12 }}>
            <p style={{ marginTop: 0 }}><strong>{t('请立即复制此密钥：它只显示这一次。', 'Copy this key now: it is shown only once.')}</strong></p>
            <code className="secret" aria-label={t('新密钥', 'New key')}>{fresh.key}</code>
            <div className="row" style={{ marginTop: 8 }}>
              <CopyButton text={fresh.key} label={t('复制密钥', 'Copy key')} />
              <Button kind="link" onClick={() => setFresh(null)}>{t('我已保存，隐藏', 'Saved it, hide')}</Button>
            </div>
          </div>
        )}
      </Card>
      <Card title={t('密钥列表', 'Keys')}>
        {keys.isLoading && <Loading />}
        <ProblemMessage error={keys.error} />
        {keys.data && (
          <Table rows={keys.data} rowKey={(k) => k.id} empty={t('还没有 API 密钥', 'No API keys yet')} columns={[
            { key: 'n', title: t('名称', 'Name'), render: (k) => k.name },
            { key: 'p', title: t('前缀', 'Prefix'), render: (k) => <code>{k.prefix}…</code> },
            { key: 'c', title: t('签发时间', 'Issued'), render: (k) => dt(k.createdAt) },
            { key: 'u', title: t('最近使用', 'Last used'), render: (k) => dt(k.lastUsedAt) },
            { key: 's', title: t('状态', 'Status'), render: (k) => (k.revokedAt ? <Badge tone="bad">{t('已撤销', 'Revoked')} {dt(k.revokedAt, false)}</Badge> : <Badge tone="good">{t('有效', 'Valid')}</Badge>) },
            { key: 'a', title: t('操作', 'Actions'), render: (k) => (k.revokedAt ? '—' : <Button kind="danger" onClick={() => revoke(k)} aria-label={`${t('撤销', 'Revoke')} ${k.name}`}>{t('撤销', 'Revoke')}</Button>) },
          ]} />
        )}
      </Card>
    </>
  );
}

function Licences() {
  const me = useMe();
  const { t } = useI18n();
  const op = useOperator();
  const qc = useQueryClient();
  const [f, setF] = useState({ type: '', number: '', issuer: '', validUntil: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fieldError = useFieldError(error);
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF((x) => ({ ...x, [k]: e.target.value }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true); setError(null);
    try {
      await post(`/api/v1/operators/${me.operatorId}/licences`, { type: f.type, number: f.number, issuer: f.issuer || null, validUntil: f.validUntil || null });
      setF({ type: '', number: '', issuer: '', validUntil: '' });
      qc.invalidateQueries({ queryKey: ['operator'] });
    } catch (err) { setError(err); } finally { setBusy(false); }
  };
  return (
    <>
      <Card title={t('许可证', 'Licences')}>
        {op.isLoading && <Loading />}
        <ProblemMessage error={op.error} />
        {op.data && (
          <Table rows={op.data.licences} rowKey={(l) => l.id} empty={t('还没有许可证', 'No licences yet')} columns={[
            { key: 't', title: t('类型', 'Type'), render: (l) => l.type },
            { key: 'n', title: t('编号', 'Number'), render: (l) => <code>{l.number}</code> },
            { key: 'i', title: t('发证机关', 'Issuer'), render: (l) => l.issuer ?? '—' },
            { key: 'v', title: t('有效期至', 'Valid until'), render: (l) => l.validUntil ?? '—' },
          ]} />
        )}
      </Card>
      {isAdmin(me) && (
        <Card title={t('添加许可证', 'Add a licence')}>
          <form className="form" onSubmit={submit} aria-label={t('添加许可证', 'Add a licence')}>
            <Field label={t('许可证类型', 'Licence type')} required maxLength={100} value={f.type} onChange={set('type')} error={fieldError('type')} />
            <Field label={t('许可证编号', 'Licence number')} required maxLength={100} value={f.number} onChange={set('number')} error={fieldError('number')} />
            <Field label={t('发证机关', 'Issuer')} maxLength={200} value={f.issuer} onChange={set('issuer')} />
            <Field label={t('有效期至', 'Valid until')} type="date" value={f.validUntil} onChange={set('validUntil')} error={fieldError('validUntil')} />
            <ProblemMessage error={error} />
            <div className="form-actions"><Button type="submit" busy={busy}>{t('添加', 'Add')}</Button></div>
          </form>
        </Card>
      )}
    </>
  );
}
