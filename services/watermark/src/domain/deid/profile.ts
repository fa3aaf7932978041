import { BASIC_PROFILE_TABLE } from './basic-profile-2021b.js';

/** The actions of PS3.15 E.1.1 that the table may name, composites included. */
export type TableAction = 'D' | 'Z' | 'X' | 'K' | 'C' | 'U' | 'X/Z' | 'X/D' | 'X/Z/D' | 'Z/D' | 'X/Z/U*';
/** What is actually done to an attribute once a composite is resolved. */
export type Applied = 'D' | 'Z' | 'X' | 'K' | 'U';

const ACTIONS = new Set<string>(['D', 'Z', 'X', 'K', 'C', 'U', 'X/Z', 'X/D', 'X/Z/D', 'Z/D', 'X/Z/U*']);

/**
 * How a composite or C is resolved. The standard lets the implementation choose the weaker action
 * only where the IOD needs the attribute; without per-IOD knowledge we take the strongest one,
 * removal (X), for every X/... composite, and Z for Z/D, as Orthanc does: less data, never more.
 * C (clean) is only in the options columns; were it to appear it is treated as D (no free text
 * is kept). Removing X/Z/U* sequences (Referenced/Source Image) drops references instead of
 * remapping them: a de-identified instance must not point at identified ones.
 */
export function resolve(a: TableAction): Applied {
  if (a.startsWith('X')) return 'X';
  if (a === 'Z/D') return 'Z';
  if (a === 'C') return 'D';
  return a as Applied;
}

interface Pattern {
  group: number;
  groupMask: number;
  element: number;
  elementMask: number;
  action: TableAction;
}

/** "(50xx,xxxx)" → value and mask over the hex digits that are not "x". */
function pattern(tag: string, action: TableAction): Pattern {
  const [g, e] = tag.split(',') as [string, string];
  const part = (s: string) => ({
    value: Number.parseInt(s.replace(/x/gi, '0'), 16),
    mask: Number.parseInt([...s].map((c) => (c.toLowerCase() === 'x' ? '0' : 'f')).join(''), 16),
  });
  const pg = part(g);
  const pe = part(e);
  return { group: pg.value, groupMask: pg.mask, element: pe.value, elementMask: pe.mask, action };
}

export interface Profile {
  /** The table's action for a tag "GGGGEEEE" (hex), or undefined when the table does not list it. */
  actionFor(tag: string): TableAction | undefined;
  /** Every exact (non-repeating) tag of the table with its action. */
  rows(): [tag: string, action: TableAction][];
}

export function buildProfile(table: readonly (readonly [string, string, string])[]): Profile {
  const exact = new Map<string, TableAction>();
  const patterns: Pattern[] = [];
  for (const [tag, action] of table) {
    if (!ACTIONS.has(action) || !/^[0-9A-Fx]{4},[0-9A-Fx]{4}$/i.test(tag))
      throw new Error(`bad profile row ${tag} ${action}`);
    if (/x/i.test(tag)) patterns.push(pattern(tag, action as TableAction));
    else exact.set(tag.replace(',', '').toUpperCase(), action as TableAction);
  }
  return {
    actionFor(tag) {
      const hit = exact.get(tag.toUpperCase());
      if (hit) return hit;
      const g = Number.parseInt(tag.slice(0, 4), 16);
      const e = Number.parseInt(tag.slice(4, 8), 16);
      return patterns.find((p) => (g & p.groupMask) === p.group && (e & p.elementMask) === p.element)?.action;
    },
    rows: () => [...exact.entries()],
  };
}

export const BASIC_PROFILE = buildProfile(BASIC_PROFILE_TABLE);
