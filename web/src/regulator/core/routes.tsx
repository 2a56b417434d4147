import type { NavItem } from '../../app/nav.ts';
import { useI18n } from '../../lib/i18n.tsx';
import { PageTitle } from '../../lib/ui.tsx';

export const coreNav: NavItem[] = [];

export function Dashboard() {
  const { t } = useI18n();
  return <PageTitle>{t('监管概览', 'Dashboard')}</PageTitle>;
}

/** <Route> elements relative to /reg. */
export const coreRoutes = <></>;
