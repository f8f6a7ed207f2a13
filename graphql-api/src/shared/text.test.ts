import { escapeRegExp, foldForSearch } from './text';

describe('foldForSearch', () => {
  it('ignores case and accents: Amélie, AMÉLIE, amélie and amelie fold alike', () => {
    for (const text of ['Amélie', 'AMÉLIE', 'amélie', 'amelie', 'AMELIE']) {
      expect(foldForSearch(text)).toBe('amelie');
    }
    expect(foldForSearch('Seven Samurai')).toBe('seven samurai');
    expect(foldForSearch('Crème Brûlée à la Façon')).toBe('creme brulee a la facon');
  });

  it('spells out letters without a decomposition, and ligatures', () => {
    expect(foldForSearch('Straße')).toBe('strasse');
    expect(foldForSearch('GROẞ')).toBe('gross');
    expect(foldForSearch('Æon Flux')).toBe('aeon flux');
    expect(foldForSearch('Cœur')).toBe('coeur');
    expect(foldForSearch('Ørsted Søn')).toBe('orsted son');
    expect(foldForSearch('Łódź')).toBe('lodz');
    expect(foldForSearch('Þór')).toBe('thor');
    expect(foldForSearch('ﬁnal')).toBe('final');
    expect(foldForSearch('Ｆｕｌｌ Ｗｉｄｔｈ')).toBe('full width');
    expect(foldForSearch('Über')).toBe('uber');
    expect(foldForSearch('İstanbul')).toBe('istanbul');
    // Final and medial sigma fold alike.
    expect(foldForSearch('ΟΔΥΣΣΕΑΣ')).toBe(foldForSearch('οδυσσεασ'));
  });

  it('collapses whitespace and leaves nothing of text that is only marks or spaces', () => {
    expect(foldForSearch('  Seven \t  Samurai \n')).toBe('seven samurai');
    expect(foldForSearch('\u0301\u0308\u0327')).toBe('');
    expect(foldForSearch('´ ¨')).toBe('');
    expect(foldForSearch('   ')).toBe('');
  });

  it('keeps punctuation and regex metacharacters as text, for escapeRegExp to quote', () => {
    expect(foldForSearch("(Director's Cut) [1.5] .*")).toBe("(director's cut) [1.5] .*");
    const pattern = new RegExp(escapeRegExp(foldForSearch('.*(')));
    expect(pattern.test('a.*(b')).toBe(true);
    expect(pattern.test('anything')).toBe(false);
  });
});
