import { Route, Routes } from 'react-router';
import type { Role } from '../lib/auth.tsx';
import type { NavItem } from '../app/nav.ts';
import { orgNav, orgRoutes, OperatorHome } from './org/routes.tsx';
import { workNav, workRoutes } from './work/routes.tsx';

export const OPERATOR_ROLES: readonly Role[] = ['operator-admin', 'operator-staff', 'printer'];

export const operatorNav: NavItem[] = [{ to: '/op', zh: '工作台', en: 'Workbench', end: true }, ...orgNav, ...workNav];

/** Operator workbench routes, relative to /op: organisation, products, batches, codes and labels (org/), records, ledgers, trace and inbox (work/). */
export function OperatorArea() {
  return (
    <Routes>
      <Route index element={<OperatorHome />} />
      {orgRoutes}
      {workRoutes}
    </Routes>
  );
}
