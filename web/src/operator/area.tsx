import { Route, Routes } from 'react-router';
import type { Role } from '../lib/auth.tsx';
import type { NavItem } from '../app/nav.ts';
import { useMe } from '../lib/auth.tsx';
import { useI18n } from '../lib/i18n.tsx';
import { PageTitle } from '../lib/ui.tsx';

export const OPERATOR_ROLES: readonly Role[] = ['operator-admin', 'operator-staff', 'printer'];

export const operatorNav: NavItem[] = [
  { to: '/op', zh: '工作台', en: 'Workbench', end: true },
];

function OperatorHome() {
  const me = useMe();
  const { t } = useI18n();
  return <PageTitle>{t('工作台', 'Workbench')} · {me.displayName}</PageTitle>;
}

/** Operator workbench routes, relative to /op. */
export function OperatorArea() {
  return (
    <Routes>
      <Route index element={<OperatorHome />} />
    </Routes>
  );
}
