import { Route, Routes } from 'react-router';
import type { NavItem } from '../app/nav.ts';
import { NodePage } from './NodePage.tsx';
import { UsersPage } from './UsersPage.tsx';
import { CatalogPage } from './CatalogPage.tsx';

export const adminNav: NavItem[] = [
  { to: '/admin', zh: '节点与码规则', en: 'Node and code rule', end: true },
  { to: '/admin/users', zh: '账号与角色', en: 'Users and roles' },
  { to: '/admin/catalog', zh: '重点追溯目录', en: 'Key-trace catalog' },
  { to: '/reg', zh: '监管控制台', en: 'Regulator console' },
];

/** Platform administration routes, relative to /admin. */
export function AdminArea() {
  return (
    <Routes>
      <Route index element={<NodePage />} />
      <Route path="users" element={<UsersPage />} />
      <Route path="catalog" element={<CatalogPage />} />
    </Routes>
  );
}
