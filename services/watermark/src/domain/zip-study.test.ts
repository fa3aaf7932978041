import { describe, expect, it } from 'vitest';
import { studyIndexOf } from './zip-study.js';

const member = (study: string, series: string, sop: string) => ({
  studyInstanceUid: study,
  seriesInstanceUid: series,
  sopInstanceUid: sop,
  modality: 'CT',
  studyDate: '2004-01-19',
});

describe('the index of a study ZIP', () => {
  it('names the study most members belong to, with its instance count, and no series or instance when there are several', () => {
    const index = studyIndexOf([member('1.1', '1.1.1', '1'), member('1.1', '1.1.2', '2'), member('2.2', '2.2.1', '3')]);
    expect(index).toEqual({ studyInstanceUid: '1.1', modality: 'CT', studyDate: '2004-01-19', instances: 2 });
  });

  it('keeps the series and instance UIDs when every member shares them', () => {
    expect(studyIndexOf([member('1.1', '1.1.1', '1')])).toMatchObject({
      seriesInstanceUid: '1.1.1',
      sopInstanceUid: '1',
    });
  });

  it('gives no index to a ZIP without a DICOM study', () => {
    expect(studyIndexOf([])).toBeUndefined();
    expect(studyIndexOf([{ modality: 'CT' }])).toBeUndefined();
  });
});
