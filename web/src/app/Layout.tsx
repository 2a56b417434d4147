import type { ReactNode } from 'react';
import { Link, NavLink, Navigate, useLocation } from 'react-router';
import { useAuth, type Role } from '../lib/auth.tsx';
import { LangSwitch, useI18n } from '../lib/i18n.tsx';
import { Loading } from '../lib/ui.tsx';
import type { NavItem } from './nav.ts';
import { PageErrorBoundary } from './ErrorBoundary.tsx';

const ROLE_NAMES: Record<Role, [string, string]> = {
  'platform-admin': ['平台管理员', 'Platform admin'],
  regulator: ['监管人员', 'Regulator'],
  'operator-admin': ['主体管理员', 'Operator admin'],
  'operator-staff': ['主体员工', 'Operator staff'],
  printer: ['印刷企业', 'Printer'],
};
export function roleName(role: Role, t: (zh: string, en: string) => string) {
  const n = ROLE_NAMES[role];
  return n ? t(n[0], n[1]) : role;
}

/** What a signed-in account sees on a page its role may not open (the API would refuse it too). */
function NotAllowed() {
  const { t } = useI18n();
  return (
    <div role="alert">
      <h1>{t('无权访问', 'Not allowed')}</h1>
      <p>{t('您的账号无权查看此页面。', 'Your account may not open this page.')} <Link to="/">{t('返回首页', 'Back to start')}</Link></p>
    </div>
  );
}

/** Inside an area: shows the page only to the given roles. */
export function RoleGate({ roles, children }: { roles: readonly Role[]; children: ReactNode }) {
  const { me } = useAuth();
  return me && roles.includes(me.role) ? <>{children}</> : <NotAllowed />;
}

/** Lets only the given roles into an area; others go to sign-in (anonymous) or see a refusal (signed in, wrong role). */
export function RequireRole({ roles, children }: { roles: readonly Role[]; children: ReactNode }) {
  const { me, loading } = useAuth();
  const loc = useLocation();
  if (loading) return <Loading />;
  if (!me) return <Navigate to={`/login?next=${encodeURIComponent(loc.pathname + loc.search)}`} replace />;
  if (!roles.includes(me.role)) return <PublicFrame><main className="content"><NotAllowed /></main></PublicFrame>;
  return <>{children}</>;
}

/** The page frame: top bar (brand, account, language switch, sign out) and the area's navigation. */
export function Layout({ nav, children }: { nav: NavItem[]; children: ReactNode }) {
  const { me, logout } = useAuth();
  const { t } = useI18n();
  const items = nav.filter((n) => !n.roles || (me && n.roles.includes(me.role)));
  return (
    <div className="shell with-nav">
      <header className="topbar">
        <Link className="brand" to="/">溯源 Suyuan</Link>
        <span className="spacer" />
        {me && <span className="who">{me.displayName} · {roleName(me.role, t)}{me.jurisdiction ? ` · ${me.jurisdiction}` : ''}</span>}
        <LangSwitch />
        {me && <button type="button" onClick={logout}>{t('退出', 'Sign out')}</button>}
      </header>
      <nav className="nav" aria-label={t('主导航', 'Main navigation')}>
        {items.map((n) => (
          <NavLink key={n.to} to={n.to} end={n.end} className={({ isActive }) => (isActive ? 'active' : undefined)}>{t(n.zh, n.en)}</NavLink>
        ))}
      </nav>
      <main className="content"><PageErrorBoundary>{children}</PageErrorBoundary></main>
    </div>
  );
}

/** Frame for pages without an account (sign in, register). */
export function PublicFrame({ children }: { children: ReactNode }) {
  return (
    <div className="shell">
      <header className="topbar">
        <Link className="brand" to="/">溯源 Suyuan</Link>
        <span className="spacer" />
        <LangSwitch />
      </header>
      {children}
    </div>
  );
}
