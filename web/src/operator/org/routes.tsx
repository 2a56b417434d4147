import type { NavItem } from '../../app/nav.ts';
import { useMe } from '../../lib/auth.tsx';
import { useI18n } from '../../lib/i18n.tsx';
import { PageTitle } from '../../lib/ui.tsx';

/** Navigation entries of the organisation part (sites, staff, API keys, products, batches, codes, labels, pools). */
export const orgNav: NavItem[] = [];

/** The workbench start page. */
export function OperatorHome() {
  const me = useMe();
  const { t } = useI18n();
  return <PageTitle>{t('工作台', 'Workbench')} · {me.displayName}</PageTitle>;
}

/** <Route> elements relative to /op. */
export const orgRoutes = <></>;
