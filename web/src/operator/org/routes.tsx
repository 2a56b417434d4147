import type { ReactNode } from 'react';
import { Route } from 'react-router';
import type { Role } from '../../lib/auth.tsx';
import { RoleGate } from '../../app/Layout.tsx';
import type { NavItem } from '../../app/nav.ts';
import { Organisation } from './Organisation.tsx';
import { Products } from './Products.tsx';
import { Batches } from './Batches.tsx';
import { BatchDetail } from './BatchDetail.tsx';
import { LabelsPage } from './Labels.tsx';
import { PoolDetail, Pools } from './Pools.tsx';
import { WORKERS } from './common.tsx';
import './org.css';

export { OperatorHome } from './Home.tsx';

const OPERATORS = ['operator-admin', 'operator-staff', 'printer'] as const;

/** Navigation entries of the organisation part (sites, staff, API keys, products, batches, codes, labels, pools). */
export const orgNav: NavItem[] = [
  { to: '/op/org', zh: '组织', en: 'Organisation', roles: WORKERS },
  { to: '/op/products', zh: '产品', en: 'Products', roles: WORKERS },
  { to: '/op/batches', zh: '批次与标签', en: 'Batches & labels', roles: WORKERS },
  { to: '/op/pools', zh: '码池与激活', en: 'Pools & activation' },
];

/** <Route> elements relative to /op. A printer sees code pools and their labels only, as the API allows. */
export const orgRoutes = (
  <>
    <Route path="org" element={<Only roles={WORKERS}><Organisation /></Only>} />
    <Route path="products" element={<Only roles={WORKERS}><Products /></Only>} />
    <Route path="batches" element={<Only roles={WORKERS}><Batches /></Only>} />
    <Route path="batches/:id" element={<Only roles={WORKERS}><BatchDetail /></Only>} />
    <Route path="batches/:id/labels" element={<Only roles={WORKERS}><LabelsPage source="batches" /></Only>} />
    <Route path="pools" element={<Only roles={OPERATORS}><Pools /></Only>} />
    <Route path="pools/:id" element={<Only roles={OPERATORS}><PoolDetail /></Only>} />
    <Route path="pools/:id/labels" element={<Only roles={OPERATORS}><LabelsPage source="code-pools" /></Only>} />
  </>
);

/** Narrows a page to some operator roles (the area admits printers too) and frames it for org.css. */
function Only({ roles, children }: { roles: readonly Role[]; children: ReactNode }) {
  return <RoleGate roles={roles}><div className="org-page">{children}</div></RoleGate>;
}
