/** Escapes every regex metacharacter so caller text only ever matches literally. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/**
 * Letters that Unicode does not decompose into a base letter and a mark, spelled as a reader
 * would type them on a keyboard without them (after lower-casing, so only the small forms).
 */
const SPECIAL_LETTERS: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  ł: 'l',
  þ: 'th',
  ı: 'i',
  ς: 'σ',
};
const SPECIAL_LETTER = new RegExp(`[${Object.keys(SPECIAL_LETTERS).join('')}]`, 'g');

/** Combining marks (accents, diaereses, cedillas, …) once NFKD has split them from their letter. */
const COMBINING_MARK = /\p{M}/gu;

/**
 * Folds text for matching that ignores case and accents: NFKD (so ligatures such as `ﬁ` and
 * full-width letters become plain ones), combining marks removed, lower-cased, the few letters
 * without a decomposition spelled out (`ß` → `ss`, `æ` → `ae`, `ø` → `o`, …), and whitespace
 * runs collapsed to one space and trimmed. `Amélie`, `AMÉLIE` and `amelie` all fold to
 * `amelie`. Folding both the stored text and the searched text makes a literal substring match
 * (an escaped regex) ignore case and accents.
 */
export function foldForSearch(text: string): string {
  return text
    .normalize('NFKD')
    .replace(COMBINING_MARK, '')
    .toLowerCase()
    .replace(SPECIAL_LETTER, (letter) => SPECIAL_LETTERS[letter] ?? letter)
    .replace(/\s+/g, ' ')
    .trim();
}
