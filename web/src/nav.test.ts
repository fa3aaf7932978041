import { describe, expect, it } from 'vitest';
import { canUse, homeOf, SECTIONS, sectionsFor } from './nav';

describe('role-aware navigation', () => {
  it('shows a patient only the patient pages', () => {
    expect(sectionsFor('patient').map((s) => s.path)).toEqual([
      '/files',
      '/appointments',
      '/chat',
      '/notifications',
      '/trash',
    ]);
  });

  it('never offers the audit log or user management to a patient or a clinician', () => {
    for (const role of ['patient', 'clinician'] as const) {
      expect(canUse(role, '/audit')).toBe(false);
      expect(canUse(role, '/admin/users')).toBe(false);
    }
  });

  it('lets compliance use the audit log but not user management', () => {
    expect(canUse('compliance', '/audit')).toBe(true);
    expect(canUse('compliance', '/admin/users')).toBe(false);
    expect(homeOf('compliance')).toBe('/audit');
  });

  it('gives every section at least one role, and every role a home page', () => {
    for (const s of SECTIONS) expect(s.roles.length).toBeGreaterThan(0);
    for (const r of ['admin', 'clinician', 'patient', 'compliance'] as const) expect(homeOf(r)).not.toBe('/');
  });

  it('offers break-glass to clinicians and admins only, and the admin pages to admins only', () => {
    for (const r of ['clinician', 'admin'] as const) expect(canUse(r, '/emergency-access')).toBe(true);
    for (const r of ['patient', 'compliance'] as const) expect(canUse(r, '/emergency-access')).toBe(false);
    for (const path of ['/admin/held-files', '/admin/care', '/admin/dead-letters']) {
      expect(canUse('admin', path)).toBe(true);
      for (const r of ['clinician', 'patient', 'compliance'] as const) expect(canUse(r, path)).toBe(false);
    }
  });

  it('gives a clinician the schedule and their patients, and nobody else', () => {
    for (const path of ['/schedule', '/my-patients']) {
      expect(canUse('clinician', path)).toBe(true);
      for (const r of ['admin', 'patient', 'compliance'] as const) expect(canUse(r, path)).toBe(false);
    }
  });
});
