import { describe, expect, it } from 'vitest';
import { parseServiceList } from './dead-letters.js';

describe('parseServiceList', () => {
  it('reads a comma-separated list, trimming blanks and repeats', () => {
    expect(parseServiceList(' files, scanner,,files ,chat')).toEqual(['files', 'scanner', 'chat']);
  });

  it('refuses a name that is no queue name', () => {
    expect(() => parseServiceList('files,../etc')).toThrow(/bad names: \.\.\/etc/);
    expect(() => parseServiceList('Files')).toThrow(/bad names: Files/);
  });
});
