import { Route, Routes } from 'react-router';
import type { NavItem } from '../app/nav.ts';
import { useI18n } from '../lib/i18n.tsx';
import { PageTitle } from '../lib/ui.tsx';

export const adminNav: NavItem[] = [
  { to: '/admin', zh: '平台管理', en: 'Administration', end: true },
];

function AdminHome() {
  const { t } = useI18n();
  return <PageTitle>{t('平台管理', 'Administration')}</PageTitle>;
}

/** Platform administration routes, relative to /admin. */
export function AdminArea() {
  return (
    <Routes>
      <Route index element={<AdminHome />} />
    </Routes>
  );
}
