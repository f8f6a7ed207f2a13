import { PAGE_ELEMENT_ID } from '../../src/shared/page-props';
import type { PageData } from '../../src/shared/page-props';

// Reading the server's HTML in route tests. The markup is React's (regular, attributes always
// double-quoted), so a few precise patterns do; each helper throws when what it looks for is
// absent, so a test that reads a missing element fails instead of comparing `undefined`.

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};

/** Text with HTML character references decoded. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref.startsWith('#x') || ref.startsWith('#X'))
      return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number(ref.slice(1)));
    return ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

/** The text of a fragment as a browser's textContent has it (React's `<!-- -->` markers dropped). */
export function textContent(fragment: string): string {
  return decodeEntities(fragment.replace(/<!--[^]*?-->/g, '').replace(/<[^>]*>/g, ''));
}

/**
 * The text a screen reader reads: the element's own `aria-label`, else its text without
 * `aria-hidden="true"` elements (icons, arrows), visually hidden text kept, whitespace collapsed.
 */
export function accessibleText(fragment: string): string {
  // An aria-label on the element itself replaces its content as its name.
  const label = /^<\w+[^>]*\saria-label="([^"]*)"/.exec(fragment)?.[1];
  if (label !== undefined) return decodeEntities(label).replace(/\s+/g, ' ').trim();
  const shown = fragment.replace(/<(\w+)[^>]*\saria-hidden="true"[^>]*>[^]*?<\/\1>/g, '');
  return textContent(shown).replace(/\s+/g, ' ').trim();
}

/** The JSON of `<script type="application/json" id="…">`. */
export function jsonBlock<T>(html: string, id: string): T {
  const match = new RegExp(`<script type="application/json" id="${id}">(.*?)</script>`, 's').exec(
    html,
  );
  if (!match?.[1]) throw new TypeError(`no #${id} block`);
  return JSON.parse(match[1]) as T;
}

/** The page's one embedded JSON block: `{ page, title, data }`. */
export function pageDataOf(html: string): PageData {
  return jsonBlock<PageData>(html, PAGE_ELEMENT_ID);
}

/** The markup inside `<div id="root">`, without the JSON block after it. */
export function rootOf(html: string): string {
  const start = html.indexOf('<div id="root">');
  const end = html.indexOf(`</div><script type="application/json" id="${PAGE_ELEMENT_ID}">`);
  if (start === -1 || end === -1) throw new TypeError('no #root followed by the page data');
  return html.slice(start + '<div id="root">'.length, end);
}

/** The first element that opens with a tag matching `openTag` (e.g. `<nav class="pagination"`), through its end tag. */
export function elementAt(html: string, openTag: RegExp): string {
  const open = openTag.exec(html);
  if (!open) throw new TypeError(`no element matching ${String(openTag)}`);
  const name = /^<(\w+)/.exec(open[0])?.[1];
  if (!name) throw new TypeError(`${String(openTag)} does not match an opening tag`);
  // Count nested elements of the same name so the match ends at the right end tag.
  const tags = new RegExp(`<${name}[\\s>]|</${name}>`, 'g');
  tags.lastIndex = open.index + open[0].length;
  let depth = 1;
  for (let tag = tags.exec(html); tag; tag = tags.exec(html)) {
    depth += tag[0].startsWith('</') ? -1 : 1;
    if (depth === 0) return html.slice(open.index, tag.index + tag[0].length);
  }
  throw new TypeError(`unclosed <${name}> matching ${String(openTag)}`);
}

/** Every `<li class="movie-card" data-movie-id="…">` of the page, by movie id, in page order. */
export function movieCards(html: string): { id: string; html: string }[] {
  const cards: { id: string; html: string }[] = [];
  const open = /<li class="movie-card" data-movie-id="([^"]+)">/g;
  for (let match = open.exec(html); match; match = open.exec(html)) {
    const id = match[1] ?? '';
    const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    cards.push({
      id,
      html: elementAt(html, new RegExp(`<li class="movie-card" data-movie-id="${escaped}">`)),
    });
  }
  return cards;
}

/** A movie's card on the page. */
export function movieCard(html: string, movieId: string): string {
  const card = movieCards(html).find((item) => item.id === movieId);
  if (!card) throw new TypeError(`no card for movie ${movieId}`);
  return card.html;
}

/** The list button in a fragment: what it says (accessibly), where its form posts, its attributes. */
export function listButtonOf(fragment: string): { text: string; action: string; tag: string } {
  const form = elementAt(fragment, /<form class="list-form"[^>]*>/);
  const action = /action="([^"]*)"/.exec(form)?.[1];
  const button = elementAt(form, /<button[^>]*class="[^"]*list-button[^"]*"[^>]*>/);
  const tag = /^<button[^>]*>/.exec(button)?.[0] ?? '';
  if (action === undefined) throw new TypeError('a list form without an action');
  return { text: accessibleText(button), action: decodeEntities(action), tag };
}

/** `href`s of the `<a>` elements whose accessible text is `text`. */
export function linkHrefs(html: string, text: string): string[] {
  const hrefs: string[] = [];
  for (const match of html.matchAll(/<a\s[^>]*>[^]*?<\/a>/g)) {
    const link = match[0];
    if (accessibleText(link) !== text) continue;
    const href = /\shref="([^"]*)"/.exec(link)?.[1];
    if (href !== undefined) hrefs.push(decodeEntities(href));
  }
  return hrefs;
}

/** The document's `<title>` text. */
export function titleOf(html: string): string {
  const match = /<title>([^<]*)<\/title>/.exec(html);
  if (!match) throw new TypeError('no <title>');
  return decodeEntities(match[1] ?? '');
}
