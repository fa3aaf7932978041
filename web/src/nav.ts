/** The console's pages and who may use them: navigation shows a role only what it can use. */
export type Role = 'admin' | 'clinician' | 'patient' | 'compliance';

export interface Section {
  path: string;
  label: string;
  roles: readonly Role[];
}

export const SECTIONS: readonly Section[] = [
  { path: '/files', label: 'My files', roles: ['patient'] },
  { path: '/patients-files', label: 'Patient files', roles: ['clinician'] },
  { path: '/audit', label: 'Audit log', roles: ['compliance', 'admin'] },
  { path: '/admin/users', label: 'Users', roles: ['admin'] },
  { path: '/appointments', label: 'My appointments', roles: ['patient'] },
  { path: '/chat', label: 'Messages', roles: ['patient', 'clinician'] },
  { path: '/notifications', label: 'Notifications', roles: ['patient', 'clinician', 'admin', 'compliance'] },
  { path: '/trash', label: 'Trash', roles: ['patient'] },
  { path: '/schedule', label: 'Schedule', roles: ['clinician'] },
  { path: '/my-patients', label: 'My patients', roles: ['clinician'] },
  { path: '/emergency-access', label: 'Emergency access', roles: ['clinician', 'admin'] },
  { path: '/admin/held-files', label: 'Held files', roles: ['admin'] },
  { path: '/admin/care', label: 'Care assignments', roles: ['admin'] },
  { path: '/admin/health', label: 'Service health', roles: ['admin'] },
  { path: '/admin/dead-letters', label: 'Dead letters', roles: ['admin'] },
];

export const sectionsFor = (role: Role) => SECTIONS.filter((s) => s.roles.includes(role));

export const canUse = (role: Role, path: string) => {
  const s = SECTIONS.find((x) => path === x.path || path.startsWith(`${x.path}/`));
  return s ? s.roles.includes(role) : true;
};

/** Where a role lands after signing in. */
export const homeOf = (role: Role) => sectionsFor(role)[0]?.path ?? '/';
