import { describe, expect, it } from 'vitest';
import { BASIC_PROFILE_EDITION, BASIC_PROFILE_TABLE } from './basic-profile-2021b.js';
import { type Dataset, deidentifyDataset, isPrivate, METHOD } from './deidentify.js';
import { BASIC_PROFILE, resolve, type TableAction } from './profile.js';
import { remapUid } from './uid.js';

const SALT = 'salt-of-requester-a';
const mapUid = (u: string) => remapUid(SALT, u);
const tagOf = (row: string) => row.replace(',', '').toUpperCase();
const meta = (sop: string): Dataset => ({
  '00020002': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.2'] },
  '00020003': { vr: 'UI', Value: [sop] },
  '00020010': { vr: 'UI', Value: ['1.2.840.10008.1.2.1'] },
  '00020016': { vr: 'AE', Value: ['HOSPITAL_PACS'] },
});

/** A dataset holding every exact attribute of the table with an identifying value. */
function everyAttribute(): Dataset {
  const ds: Dataset = {};
  for (const [tag, action] of BASIC_PROFILE_TABLE) {
    if (/x/i.test(tag)) continue;
    ds[tagOf(tag)] =
      action === 'U'
        ? { vr: 'UI', Value: [`1.2.3.${Number.parseInt(tagOf(tag), 16)}`] }
        : { vr: 'LO', Value: [`SECRET ${tag}`] };
  }
  return ds;
}

/** One CT instance of a generated series: a study, a series, its own SOP instance, pixels. */
function instance(n: number, pixels = new Uint16Array([n, 2, 3, 4]).buffer): { meta: Dataset; dict: Dataset } {
  const sop = `1.2.826.0.1.3680043.2.1125.1.${n}`;
  return {
    meta: meta(sop),
    dict: {
      '00080016': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.2'] },
      '00080018': { vr: 'UI', Value: [sop] },
      '00080020': { vr: 'DA', Value: ['20240131'] },
      '00080060': { vr: 'CS', Value: ['CT'] },
      '00080080': { vr: 'LO', Value: ['St Elsewhere'] },
      '00081140': { vr: 'SQ', Value: [{ '00081155': { vr: 'UI', Value: ['1.2.9.9'] } }] },
      '00089215': {
        vr: 'SQ',
        Value: [
          {
            '00080100': { vr: 'SH', Value: ['113076'] },
            '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Doe^Jane' }] },
            '00291010': { vr: 'OB', Value: [new ArrayBuffer(4)] },
          },
        ],
      },
      '00090010': { vr: 'LO', Value: ['GEMS_IDEN_01'] },
      '00091001': { vr: 'LO', Value: ['Doe^Jane'] },
      '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Doe^Jane' }] },
      '00100020': { vr: 'LO', Value: ['MRN-12345'] },
      '00100030': { vr: 'DA', Value: ['19700101'] },
      '00120010': { vr: 'LO', Value: ['Sponsor Inc'] },
      '0020000D': { vr: 'UI', Value: ['1.2.826.0.1.3680043.2.1125.100'] },
      '0020000E': { vr: 'UI', Value: ['1.2.826.0.1.3680043.2.1125.200'] },
      '00200052': { vr: 'UI', Value: ['1.2.826.0.1.3680043.2.1125.300'] },
      '00280010': { vr: 'US', Value: [2] },
      '00280011': { vr: 'US', Value: [2] },
      '50000010': { vr: 'US', Value: [1] },
      '60003000': { vr: 'OW', Value: [new ArrayBuffer(8)] },
      '60000010': { vr: 'US', Value: [2] },
      '7FE00010': { vr: 'OW', Value: [pixels] },
    },
  };
}

const first = (ds: Dataset, tag: string) => ds[tag]?.Value?.[0];

describe('the PS3.15 Basic Profile table', () => {
  it('is the 2021b edition with every row naming a known action', () => {
    expect(BASIC_PROFILE_EDITION).toBe('2021b');
    expect(BASIC_PROFILE_TABLE.length).toBeGreaterThan(450);
    expect(BASIC_PROFILE.actionFor('00100010')).toBe('Z');
    expect(BASIC_PROFILE.actionFor('00080080')).toBe('X/Z/D');
    expect(BASIC_PROFILE.actionFor('0020000D')).toBe('U');
    expect(BASIC_PROFILE.actionFor('50200030')).toBe('X'); // (50xx,xxxx) curve data
    expect(BASIC_PROFILE.actionFor('60023000')).toBe('X'); // (60xx,3000) overlay data
    expect(BASIC_PROFILE.actionFor('60000010')).toBeUndefined(); // overlay rows: not in the table
    expect(BASIC_PROFILE.actionFor('00280010')).toBeUndefined();
  });

  it('resolves composites to the strongest action', () => {
    const cases: [TableAction, string][] = [
      ['X/Z', 'X'],
      ['X/D', 'X'],
      ['X/Z/D', 'X'],
      ['X/Z/U*', 'X'],
      ['Z/D', 'Z'],
      ['C', 'D'],
      ['D', 'D'],
      ['U', 'U'],
    ];
    for (const [a, want] of cases) expect(resolve(a)).toBe(want);
  });
});

describe('deidentifyDataset', () => {
  it('leaves no attribute of the table with its identifying value, whatever the action', () => {
    const { dict } = deidentifyDataset({ meta: meta('1.2.3'), dict: everyAttribute() }, { mapUid });
    for (const [row, action] of BASIC_PROFILE.rows()) {
      const el = dict[row];
      const applied = resolve(action);
      if (applied === 'X') expect(el, `${row} ${action} removed`).toBeUndefined();
      else if (applied === 'Z') expect(el?.Value, `${row} ${action} emptied`).toEqual([]);
      else if (applied === 'D') expect(JSON.stringify(el?.Value), `${row} ${action} dummy`).not.toMatch(/SECRET/);
      else if (applied === 'U') {
        expect(first(dict, row), `${row} remapped`).toMatch(/^2\.25\.\d+$/);
        expect(first(dict, row)).not.toBe(`1.2.3.${Number.parseInt(row, 16)}`);
      }
    }
    expect(JSON.stringify(dict)).not.toMatch(/SECRET/);
  });

  it('removes private attributes, curves and overlay data, also inside kept sequences', () => {
    const { dict } = deidentifyDataset(instance(1), { mapUid });
    expect(Object.keys(dict).filter(isPrivate)).toEqual([]);
    expect(dict['50000010']).toBeUndefined();
    expect(dict['60003000']).toBeUndefined();
    expect(dict['60000010']).toBeDefined(); // overlay rows are not identifying (not in the table)
    const item = dict['00089215']?.Value?.[0] as Dataset;
    expect(Object.keys(item).filter(isPrivate)).toEqual([]);
    expect(item['00100010']?.Value).toEqual([]); // nested Patient's Name emptied too
    expect(first(item, '00080100')).toBe('113076');
  });

  it('applies Z, D and X and marks the identity removed with the method and its code', () => {
    const { dict, meta: m } = deidentifyDataset(instance(1), { mapUid });
    expect(dict['00100010']?.Value).toEqual([]);
    expect(dict['00100020']?.Value).toEqual([]);
    expect(dict['00080020']?.Value).toEqual([]);
    expect(first(dict, '00120010')).toBe('ANONYMIZED');
    expect(dict['00080080']).toBeUndefined();
    expect(dict['00081140']).toBeUndefined(); // X/Z/U*: references to identified instances dropped
    expect(first(dict, '00120062')).toBe('YES');
    expect(first(dict, '00120063')).toBe(METHOD);
    expect(METHOD.length).toBeLessThanOrEqual(64);
    expect(first(first(dict, '00120064') as Dataset, '00080100')).toBe('113100');
    expect(first(dict, '00080060')).toBe('CT');
    expect(first(dict, '00080016')).toBe('1.2.840.10008.5.1.4.1.1.2'); // SOP Class is not identifying
    expect(m['00020016']).toBeUndefined();
    expect(first(m, '00020003')).toBe(first(dict, '00080018'));
  });

  it('maps the UIDs of every instance of a series alike under one salt, and differently under another', () => {
    const out = [1, 2, 3].map((n) => deidentifyDataset(instance(n), { mapUid }).dict);
    for (const tag of ['0020000D', '0020000E', '00200052']) {
      const values = new Set(out.map((d) => first(d, tag)));
      expect(values.size, tag).toBe(1);
      expect([...values][0]).toMatch(/^2\.25\.\d{1,39}$/);
      expect([...values][0]).not.toBe(first(instance(1).dict, tag));
    }
    expect(new Set(out.map((d) => first(d, '00080018'))).size).toBe(3);
    const other = deidentifyDataset(instance(1), { mapUid: (u) => remapUid('another-salt', u) }).dict;
    expect(first(other, '0020000D')).not.toBe(first(out[0]!, '0020000D'));
  });

  it('keeps the pixel data element as it was and does not touch its input', () => {
    const pixels = new Uint16Array([7, 8, 9, 10]).buffer;
    const src = instance(1, pixels);
    const before = JSON.stringify(src.dict);
    const { dict } = deidentifyDataset(src, { mapUid });
    expect(dict['7FE00010']?.Value?.[0]).toBe(pixels);
    expect([...new Uint16Array(dict['7FE00010']?.Value?.[0] as ArrayBuffer)]).toEqual([7, 8, 9, 10]);
    expect(JSON.stringify(src.dict)).toBe(before);
  });
});

describe('remapUid', () => {
  it('is a 2.25 UUID UID of at most 64 characters, stable for the same salt and UID', () => {
    const a = remapUid('s', '1.2.3');
    expect(a).toBe(remapUid('s', '1.2.3'));
    expect(a).not.toBe(remapUid('s', '1.2.4'));
    expect(a.length).toBeLessThanOrEqual(64);
    const hex = BigInt(a.slice(5)).toString(16).padStart(32, '0');
    expect(hex[12]).toBe('8'); // RFC 9562 version 8
  });
});
