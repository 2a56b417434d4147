/** One entry of an area's navigation; `roles` narrows it further than the area (e.g. operator-admin only). */
export interface NavItem { to: string; zh: string; en: string; roles?: readonly string[]; end?: boolean }
