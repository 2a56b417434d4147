import { useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { homeOf, useAuth } from '../lib/auth.tsx';
import { useI18n } from '../lib/i18n.tsx';
import { Button, Card, Field, ProblemMessage } from '../lib/ui.tsx';
import { PublicFrame } from './Layout.tsx';

export function Login() {
  const { me, login } = useAuth();
  const { t } = useI18n();
  const nav = useNavigate();
  const [params] = useSearchParams();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  if (me) return <Navigate to={params.get('next') ?? homeOf(me.role)} replace />;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true); setError(null);
    try {
      const u = await login(username, password);
      nav(params.get('next') ?? homeOf(u.role), { replace: true });
    } catch (err) { setError(err); } finally { setBusy(false); }
  };
  return (
    <PublicFrame>
      <main className="auth-page">
        <Card title={t('登录', 'Sign in')}>
          <form onSubmit={submit} className="form" aria-label={t('登录', 'Sign in')}>
            <Field label={t('用户名', 'Username')} name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} />
            <Field label={t('密码', 'Password')} name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
            <ProblemMessage error={error} />
            <div className="form-actions">
              <Button type="submit" busy={busy}>{t('登录', 'Sign in')}</Button>
              <Link to="/register">{t('经营主体注册', 'Register an operator')}</Link>
            </div>
          </form>
        </Card>
      </main>
    </PublicFrame>
  );
}
