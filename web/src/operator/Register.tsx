import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { PublicFrame } from '../app/Layout.tsx';
import { post } from '../lib/api.ts';
import { useI18n } from '../lib/i18n.tsx';
import { Badge, Button, Card, Field, ProblemMessage } from '../lib/ui.tsx';
import { normaliseUscc, usccDivision } from '../../../src/registry/uscc.ts';
import './org/org.css';
import { DivisionPicker, OPERATOR_TYPES, STATUS_NAMES, useFieldError, useTypeName, useUsccCheck, type Operator } from './org/common.tsx';
import { useDivision } from '../lib/divisions.ts';
import type { OperatorType } from '../../../src/registry/registry-types.ts';

/** The live USCC check as the user types, and the division a valid USCC encodes (its likely division). */
function useUsccCheckWithDivision(raw: string) {
  const check = useUsccCheck(raw, 1);
  const code = check?.valid ? usccDivision(check.uscc) : '';
  const division = useDivision(code);
  return { check, division: division.data ?? null };
}

/** Operator self-registration (pending review by the regulator of its division). */
export function Register() {
  const { t } = useI18n();
  const typeName = useTypeName();
  const [f, setF] = useState({
    uscc: '', name: '', divisionCode: '', address: '', lat: '', lng: '', contactName: '', contactPhone: '',
    licenceType: '', licenceNumber: '', licenceIssuer: '', licenceValidUntil: '', username: '', password: '', password2: '', displayName: '',
  });
  const [types, setTypes] = useState<OperatorType[]>([]);
  const [touchedUscc, setTouchedUscc] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<Operator | null>(null);
  const { check, division } = useUsccCheckWithDivision(f.uscc);
  const fieldError = useFieldError(error);
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF((x) => ({ ...x, [k]: e.target.value }));

  // The division a valid USCC encodes is the likely one: offer it until the user picks another.
  useEffect(() => {
    if (division) setF((x) => (x.divisionCode ? x : { ...x, divisionCode: division.code }));
  }, [division]);

  const showUsccProblem = check && !check.valid && (touchedUscc || normaliseUscc(f.uscc).length >= 18);
  const usccProblem = showUsccProblem && check.message ? check.message : null;
  const passwordMismatch = f.password2 !== '' && f.password !== f.password2;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (passwordMismatch) return;
    setBusy(true);
    const num = (s: string) => (s.trim() === '' ? null : Number(s));
    try {
      const body = {
        uscc: f.uscc, name: f.name, types, divisionCode: f.divisionCode,
        address: f.address || null, lat: num(f.lat), lng: num(f.lng), contactName: f.contactName || null, contactPhone: f.contactPhone || null,
        licences: f.licenceType || f.licenceNumber
          ? [{ type: f.licenceType, number: f.licenceNumber, issuer: f.licenceIssuer || null, validUntil: f.licenceValidUntil || null }] : [],
        account: { username: f.username, password: f.password, displayName: f.displayName || undefined },
      };
      setDone(await post<Operator>('/api/v1/operators', body));
      window.scrollTo(0, 0);
    } catch (err) { setError(err); } finally { setBusy(false); }
  };

  if (done) {
    return (
      <PublicFrame>
        <main className="auth-page wide-auth org-page">
          <Card title={t('注册已提交', 'Registration submitted')}>
            <div className="notice" role="status">
              {t(`“${done.name}”的注册已提交，正在等待${done.divisionName}所属监管部门审核。审核通过后才能登记产品、批次和赋码。`,
                `The registration of "${done.name}" has been submitted and awaits review by the regulator of ${done.divisionName}. Products, batches and codes can be recorded once it is approved.`)}
            </div>
            <dl className="facts">
              <dt>{t('统一社会信用代码', 'USCC')}</dt><dd><code>{done.uscc}</code></dd>
              <dt>{t('行政区划', 'Division')}</dt><dd>{done.divisionName} <code>{done.divisionCode}</code></dd>
              <dt>{t('状态', 'Status')}</dt><dd><Badge tone="warn">{t(STATUS_NAMES[done.status][0], STATUS_NAMES[done.status][1])}</Badge></dd>
              <dt>{t('管理员账号', 'Admin account')}</dt><dd><code>{f.username}</code></dd>
            </dl>
            <p><Link to="/login">{t('前往登录', 'Go to sign in')}</Link></p>
          </Card>
        </main>
      </PublicFrame>
    );
  }

  return (
    <PublicFrame>
      <main className="content register-page org-page">
        <h1>{t('经营主体注册', 'Register an operator')}</h1>
        <p className="muted">{t('注册后由主体所在行政区划的监管部门审核；审核通过前不能登记批次或赋码。',
          'A registration is reviewed by the regulator of the operator\'s division; batches and codes can be recorded only after approval.')}</p>
        <form className="form" onSubmit={submit} aria-label={t('经营主体注册', 'Register an operator')}>
          <Card title={t('主体信息', 'Operator')} className="wide">
            <div className="form-grid">
              <div className="uscc-field">
                <Field label={t('统一社会信用代码', 'Unified social credit code (USCC)')} name="uscc" required maxLength={40} autoComplete="off"
                  value={f.uscc} onChange={set('uscc')} onBlur={() => setTouchedUscc(true)}
                  error={usccProblem ? t(usccProblem.zh, usccProblem.en) : fieldError('uscc')}
                  hint={t('18 位，含校验位；输入时即时校验', '18 characters with a check character; checked as you type')} />
                <div aria-live="polite" className="uscc-status">
                  {check?.valid && (
                    <p>
                      <Badge tone="good">{t('校验通过', 'Checksum valid')}</Badge>{' '}
                      {division ? <>{t('代码所含区划', 'Division in the code')}: {division.path.join(' ')} <code>{division.code}</code></> : null}
                    </p>
                  )}
                  {check?.registered && (
                    <p className="field-error">
                      {t(`该代码已登记为“${check.registered.name}”（${STATUS_NAMES[check.registered.status]?.[0] ?? check.registered.status}）`,
                        `This USCC is already registered as "${check.registered.name}" (${STATUS_NAMES[check.registered.status]?.[1] ?? check.registered.status})`)}
                    </p>
                  )}
                </div>
              </div>
              <Field label={t('主体名称', 'Name')} name="name" required maxLength={200} value={f.name} onChange={set('name')} error={fieldError('name')} />
            </div>
            <fieldset className="group">
              <legend>{t('主体类型（至少一种）', 'Operator types (at least one)')}<span aria-hidden="true" className="req"> *</span></legend>
              <div className="checks">
                {OPERATOR_TYPES.map((k) => (
                  <label key={k} className="check">
                    <input type="checkbox" checked={types.includes(k)}
                      onChange={(e) => setTypes((ts) => (e.target.checked ? [...ts, k] : ts.filter((x) => x !== k)))} />
                    {typeName(k)}
                  </label>
                ))}
              </div>
              {fieldError('types') && <small className="field-error">{fieldError('types')}</small>}
            </fieldset>
            <DivisionPicker value={f.divisionCode} onChange={(c) => setF((x) => ({ ...x, divisionCode: c }))} required
              label={t('所在行政区划（决定审核的监管部门）', 'Division (decides which regulator reviews)')} error={fieldError('divisionCode')} />
            <div className="form-grid">
              <Field label={t('地址', 'Address')} name="address" maxLength={500} value={f.address} onChange={set('address')} />
              <Field label={t('纬度', 'Latitude')} name="lat" type="number" step="any" min={-90} max={90} value={f.lat} onChange={set('lat')} error={fieldError('lat')} />
              <Field label={t('经度', 'Longitude')} name="lng" type="number" step="any" min={-180} max={180} value={f.lng} onChange={set('lng')} />
              <Field label={t('联系人', 'Contact person')} name="contactName" maxLength={100} value={f.contactName} onChange={set('contactName')} />
              <Field label={t('联系电话', 'Contact phone')} name="contactPhone" type="tel" maxLength={40} value={f.contactPhone} onChange={set('contactPhone')} />
            </div>
          </Card>
          <Card title={t('许可证（可选）', 'Licence (optional)')} className="wide">
            <div className="form-grid">
              <Field label={t('许可证类型', 'Licence type')} name="licenceType" maxLength={100} value={f.licenceType} onChange={set('licenceType')}
                placeholder={t('如：食品经营许可证', 'e.g. food business licence')} required={!!f.licenceNumber} error={fieldError('licences')} />
              <Field label={t('许可证编号', 'Licence number')} name="licenceNumber" maxLength={100} value={f.licenceNumber} onChange={set('licenceNumber')} required={!!f.licenceType} />
              <Field label={t('发证机关', 'Issuer')} name="licenceIssuer" maxLength={200} value={f.licenceIssuer} onChange={set('licenceIssuer')} />
              <Field label={t('有效期至', 'Valid until')} name="licenceValidUntil" type="date" value={f.licenceValidUntil} onChange={set('licenceValidUntil')} />
            </div>
          </Card>
          <Card title={t('管理员账号', 'Admin account')} className="wide">
            <p className="muted">{t('此账号管理本主体的场所、员工和 API 密钥。', 'This account manages the operator\'s sites, staff and API keys.')}</p>
            <div className="form-grid">
              <Field label={t('用户名', 'Username')} name="username" required autoComplete="username" minLength={3} maxLength={64} pattern="[A-Za-z0-9_.@\-]{3,64}"
                value={f.username} onChange={set('username')} hint={t('3–64 位字母、数字或 _ . @ -', '3–64 letters, digits or _ . @ -')} error={fieldError('username')} />
              <Field label={t('显示名称', 'Display name')} name="displayName" maxLength={100} autoComplete="name" value={f.displayName} onChange={set('displayName')} />
              <Field label={t('密码', 'Password')} name="password" type="password" required minLength={8} maxLength={200} autoComplete="new-password"
                value={f.password} onChange={set('password')} hint={t('至少 8 位', 'At least 8 characters')} error={fieldError('password')} />
              <Field label={t('确认密码', 'Confirm password')} name="password2" type="password" required autoComplete="new-password"
                value={f.password2} onChange={set('password2')} error={passwordMismatch ? t('两次输入的密码不一致', 'The passwords differ') : null} />
            </div>
          </Card>
          <ProblemMessage error={error} />
          <div className="form-actions">
            <Button type="submit" busy={busy} disabled={!!check?.registered || passwordMismatch}>{t('提交注册', 'Submit registration')}</Button>
            <Link to="/login">{t('已有账号？登录', 'Have an account? Sign in')}</Link>
          </div>
          <p className="muted wide">{t('带 * 的为必填项。', 'Fields marked * are required.')}</p>
        </form>
      </main>
    </PublicFrame>
  );
}
