import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post, qs } from '../lib/api.ts';
import type { Me, Role } from '../lib/auth.tsx';
import { useI18n } from '../lib/i18n.tsx';
import { roleName } from '../app/Layout.tsx';
import { Badge, Button, Card, Field, Notice, PageTitle, ProblemMessage, SelectField, Table } from '../lib/ui.tsx';
import { useDivision } from '../lib/divisions.ts';

interface User extends Me { createdAt: string }
interface Operator { id: string; name: string; uscc: string; divisionName: string; status: string }

const ROLES: Role[] = ['platform-admin', 'regulator', 'operator-admin', 'operator-staff', 'printer'];
const needsOperator = (r: Role) => r === 'operator-admin' || r === 'operator-staff' || r === 'printer';

/** Shows the division a 6-digit jurisdiction code names, as the user types it. */
const EMPTY_FORM = { username: '', password: '', displayName: '', jurisdiction: '', operatorQuery: '', operatorId: '' };

function NewUserForm({ onDone }: { onDone: (u: User) => void }) {
  const { t } = useI18n();
  const [role, setRole] = useState<Role>('regulator');
  const [form, setForm] = useState(EMPTY_FORM);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));
  const division = useDivision(form.jurisdiction);
  const operators = useQuery({
    queryKey: ['admin-operators', form.operatorQuery], enabled: needsOperator(role),
    queryFn: () => get<{ items: Operator[] }>(`/api/v1/operators${qs({ q: form.operatorQuery, limit: 50 })}`),
  });
  const create = useMutation({
    mutationFn: () => post<User>('/api/v1/users', {
      username: form.username, password: form.password, displayName: form.displayName, role,
      jurisdiction: role === 'regulator' ? form.jurisdiction : null,
      operatorId: needsOperator(role) ? form.operatorId || null : null,
    }),
    onSuccess: (u) => { onDone(u); setForm(EMPTY_FORM); },
  });
  const submit = (e: FormEvent) => { e.preventDefault(); create.mutate(); };
  return (
    <form className="form" onSubmit={submit} aria-label={t('新建账号', 'New user')}>
      <Field label={t('用户名', 'Username')} required minLength={3} maxLength={64} value={form.username} onChange={set('username')} autoComplete="off" />
      <Field label={t('初始密码', 'Initial password')} type="password" required minLength={8} value={form.password} onChange={set('password')} autoComplete="new-password" hint={t('至少 8 位', 'at least 8 characters')} />
      <Field label={t('显示名称', 'Display name')} required maxLength={100} value={form.displayName} onChange={set('displayName')} />
      <SelectField label={t('角色', 'Role')} value={role} onChange={(e) => setRole(e.target.value as Role)}>
        {ROLES.map((r) => <option key={r} value={r}>{roleName(r, t)}</option>)}
      </SelectField>
      {role === 'regulator' && (
        <Field label={t('管辖区划代码', 'Jurisdiction (division code)')} required pattern="\d{6}" inputMode="numeric" value={form.jurisdiction} onChange={set('jurisdiction')}
          hint={form.jurisdiction === '000000' ? t('全国', 'National') : division.data ? division.data.path.join(' ') || division.data.name : t('6 位 GB/T 2260 代码，000000 为全国', '6-digit GB/T 2260 code; 000000 is national')}
          error={division.error ? t('区划代码不存在', 'No such division') : null} />
      )}
      {needsOperator(role) && (
        <>
          <Field label={t('查找经营主体', 'Find operator')} value={form.operatorQuery} onChange={set('operatorQuery')} placeholder={t('名称或统一社会信用代码', 'Name or USCC')} />
          <SelectField label={t('所属经营主体', 'Operator')} required value={form.operatorId} onChange={set('operatorId')}>
            <option value="">{t('请选择', 'Choose…')}</option>
            {(operators.data?.items ?? []).map((o) => <option key={o.id} value={o.id}>{o.name}（{o.uscc}）</option>)}
          </SelectField>
        </>
      )}
      <ProblemMessage error={create.error} />
      <div className="form-actions"><Button type="submit" busy={create.isPending}>{t('创建账号', 'Create user')}</Button></div>
    </form>
  );
}

/** Users, their roles and jurisdictions; create, disable and enable. */
export function UsersPage() {
  const { t, dt } = useI18n();
  const client = useQueryClient();
  const [role, setRole] = useState('');
  const [created, setCreated] = useState<User | null>(null);
  const users = useQuery({ queryKey: ['users'], queryFn: () => get<{ items: User[] }>('/api/v1/users') });
  const operators = useQuery({ queryKey: ['admin-operators-all'], queryFn: () => get<{ items: Operator[] }>('/api/v1/operators?limit=500') });
  const operatorName = new Map((operators.data?.items ?? []).map((o) => [o.id, o.name]));
  const toggle = useMutation({
    mutationFn: (u: User) => post<User>(`/api/v1/users/${u.id}/${u.active ? 'disable' : 'enable'}`),
    onSuccess: () => client.invalidateQueries({ queryKey: ['users'] }),
  });
  const rows = (users.data?.items ?? []).filter((u) => !role || u.role === role);
  return (
    <>
      <PageTitle>{t('账号与角色', 'Users and roles')}</PageTitle>
      <Card title={t('新建账号', 'New user')}>
        {created && <Notice>{t('已创建账号：', 'Created user: ')}{created.username}</Notice>}
        <NewUserForm onDone={(u) => { setCreated(u); client.invalidateQueries({ queryKey: ['users'] }); }} />
      </Card>
      <Card title={t('全部账号', 'All users')} actions={
        <SelectField label={t('按角色筛选', 'Filter by role')} value={role} onChange={(e) => setRole(e.target.value)}>
          <option value="">{t('全部', 'All')}</option>
          {ROLES.map((r) => <option key={r} value={r}>{roleName(r, t)}</option>)}
        </SelectField>
      }>
        <ProblemMessage error={users.error ?? toggle.error} />
        <Table rows={rows} rowKey={(u) => u.id} columns={[
          { key: 'u', title: t('用户名', 'Username'), render: (u) => <code>{u.username}</code> },
          { key: 'n', title: t('名称', 'Name'), render: (u) => u.displayName },
          { key: 'r', title: t('角色', 'Role'), render: (u) => roleName(u.role, t) },
          { key: 'j', title: t('管辖区划 / 主体', 'Jurisdiction / operator'), render: (u) => u.jurisdiction ?? (u.operatorId ? operatorName.get(u.operatorId) ?? <small className="muted">{u.operatorId.slice(0, 8)}</small> : '—') },
          { key: 's', title: t('状态', 'Status'), render: (u) => u.active ? <Badge tone="good">{t('有效', 'active')}</Badge> : <Badge tone="bad">{t('已停用', 'disabled')}</Badge> },
          { key: 'c', title: t('创建时间', 'Created'), render: (u) => dt(u.createdAt) },
          { key: 'a', title: t('操作', 'Action'), render: (u) => u.username === 'admin' ? null : (
            <Button kind={u.active ? 'danger' : 'secondary'} busy={toggle.isPending && toggle.variables?.id === u.id} onClick={() => toggle.mutate(u)}
              aria-label={`${u.active ? t('停用', 'Disable') : t('启用', 'Enable')} ${u.username}`}>
              {u.active ? t('停用', 'Disable') : t('启用', 'Enable')}
            </Button>
          ) },
        ]} />
      </Card>
    </>
  );
}
