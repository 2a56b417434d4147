import { Route, Routes } from 'react-router';
import type { NavItem } from '../app/nav.ts';
import { useI18n } from '../lib/i18n.tsx';
import { PageTitle } from '../lib/ui.tsx';

export const regulatorNav: NavItem[] = [
  { to: '/reg', zh: '监管概览', en: 'Dashboard', end: true },
];

function Dashboard() {
  const { t } = useI18n();
  return <PageTitle>{t('监管概览', 'Dashboard')}</PageTitle>;
}

/** Regulator console routes, relative to /reg. */
export function RegulatorArea() {
  return (
    <Routes>
      <Route index element={<Dashboard />} />
    </Routes>
  );
}
