import { createHash } from 'node:crypto';
import { SAMPLE_MOVIES } from 'graphql-api/seed/sample-movies';
import { xmlProblems } from '../../test/helpers/xml-well-formed';
import { posterSvg } from './poster';
import { POSTER_GENERATOR_VERSION } from './poster-path';

const HOSTILE = {
  title: `<script>alert("x")</script> & Tom's "Big" 🎬👩‍👩‍👧 Night`,
  year: 2024,
  tags: ['documentary', '<b>bold</b>', `a&b"c'd`],
};

/** The background's two gradient stops. */
function backgroundOf(svg: string): [string, string] {
  const match =
    /<linearGradient id="p[0-9a-z]+b"[^>]*><stop offset="0" stop-color="(#[0-9a-f]{6})"\/><stop offset="1" stop-color="(#[0-9a-f]{6})"\/>/.exec(
      svg,
    );
  if (!match?.[1] || !match[2]) throw new TypeError('no background gradient');
  return [match[1], match[2]];
}

function hueOf(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255) as [
    number,
    number,
    number,
  ];
  const max = Math.max(r, g, b);
  const d = max - Math.min(r, g, b);
  if (d === 0) return 0;
  const h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  return (h * 60 + 360) % 360;
}

/** The title's lines as drawn (the tspans carrying x and y inside the title's text). */
function titleLines(svg: string): string[] {
  const text = /<text[^>]*><tspan font-size="\d+"[^>]*>(.*?)<\/tspan><tspan[^>]*y="540"/.exec(svg);
  if (!text?.[1]) throw new TypeError('no title');
  return [...text[1].matchAll(/<tspan x="\d+" y="\d+">(.*?)<\/tspan>/g)].map((m) => m[1] ?? '');
}

describe('posterSvg', () => {
  it('draws a well-formed 2:3 SVG document with nothing active in it', () => {
    for (const movie of [...SAMPLE_MOVIES, HOSTILE]) {
      const svg = posterSvg(movie);
      expect(xmlProblems(svg)).toEqual([]);
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 400 600"/);
      expect(svg.endsWith('</svg>')).toBe(true);
      // No scripts, foreign content, links, images, fonts or style sheets: shapes and text only.
      expect(svg).not.toMatch(/<(script|foreignObject|a|image|use|style|iframe|object)\b/i);
      expect(svg).not.toMatch(/\s(on\w+|href|xlink:href|style|src)=/i);
      expect(svg).not.toMatch(/url\((?!#p[0-9a-z]+[bs]\))/);
      expect(svg).not.toMatch(/@import|@font-face|javascript:/i);
      expect(svg).toContain('sans-serif');
    }
  });

  it('escapes the title and the tags', () => {
    const svg = posterSvg(HOSTILE);
    expect(svg).not.toContain('<script');
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('&#60;SCRIPT&#62;');
    expect(svg).toContain('&#38;');
    expect(svg).toContain('TOM&#39;S');
    expect(svg).toContain('&#34;BIG&#34;');
    // The emoji and its ZWJ family survive whole (one grapheme is never split across lines).
    expect(svg).toContain('🎬👩‍👩‍👧');
    expect(svg).toContain(
      `<title>&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; Tom&#39;s`,
    );
    expect(svg).toContain('&#60;B&#62;BOLD&#60;/B&#62;');
  });

  it('drops characters XML cannot carry instead of breaking the document', () => {
    const svg = posterSvg({
      title: 'Null\u0000 and \u0007bell \ud800 lone',
      year: 2000,
      tags: ['x\u001f'],
    });
    expect(xmlProblems(svg)).toEqual([]);
    expect(titleLines(svg).join(' ')).toBe('NULL AND BELL LONE');
  });

  it('gives the 30 sample movies 30 distinct posters in visibly different colours', () => {
    const svgs = SAMPLE_MOVIES.map((movie) => posterSvg(movie));
    expect(new Set(svgs).size).toBe(SAMPLE_MOVIES.length);
    const backgrounds = svgs.map(backgroundOf);
    expect(new Set(backgrounds.map((stops) => stops.join())).size).toBe(SAMPLE_MOVIES.length);
    // The catalog is not one colour: its backgrounds spread over at least 8 of twelve hue sectors.
    const sectors = new Set(backgrounds.map(([top]) => Math.floor(hueOf(top) / 30)));
    expect(sectors.size).toBeGreaterThanOrEqual(8);
  });

  it('gives two movies of one genre different colours (seeded by the title)', () => {
    const a = posterSvg({ title: 'First Drama', year: 2001, tags: ['drama'] });
    const b = posterSvg({ title: 'Second Drama', year: 2001, tags: ['drama'] });
    expect(backgroundOf(a)).not.toEqual(backgroundOf(b));
  });

  it('picks the motif of the most telling genre', () => {
    // Drips for horror, whatever order the tags come in; a film strip for documentaries.
    const horror = posterSvg({ title: 'Night', year: 1990, tags: ['drama', 'horror'] });
    expect(horror).toContain('stroke-linecap="round"');
    expect(horror).toContain('<rect width="400" height="16"');
    const documentary = posterSvg({ title: 'Facts', year: 1990, tags: ['documentary'] });
    expect(documentary).toContain('width="520" height="188"');
  });

  it('is deterministic and stays under 4 KB', () => {
    for (const movie of SAMPLE_MOVIES) {
      expect(posterSvg(movie)).toBe(posterSvg({ ...movie, tags: [...movie.tags] }));
      expect(Buffer.byteLength(posterSvg(movie))).toBeLessThanOrEqual(4096);
    }
    const longest = {
      title: 'The Extraordinarily Long and Winding Title of a Movie That Nobody Will Remember',
      year: 1999,
      tags: ['comedy', 'war', 'western', 'a very long tag that goes on and on'],
    };
    expect(longest.title.length).toBeLessThanOrEqual(80);
    expect(Buffer.byteLength(posterSvg(longest))).toBeLessThanOrEqual(4096);
    expect(
      Buffer.byteLength(posterSvg({ ...HOSTILE, title: '🎬'.repeat(40) })),
    ).toBeLessThanOrEqual(4096);
  });

  it('sets short titles large and wraps long ones into balanced lines', () => {
    const up = posterSvg({ title: 'Up', year: 2009, tags: ['animation'] });
    expect(up).toContain('font-size="72"');
    expect(titleLines(up)).toEqual(['UP']);
    const hotel = titleLines(
      posterSvg({ title: 'The Grand Budapest Hotel', year: 2014, tags: ['comedy'] }),
    );
    expect(hotel.join(' ')).toBe('THE GRAND BUDAPEST HOTEL');
    expect(hotel.length).toBeGreaterThan(1);
    const long = 'The Extraordinarily Long and Winding Title of a Movie That Nobody Will Remember';
    const lines = titleLines(posterSvg({ title: long, year: 1999, tags: [] }));
    expect(lines.join(' ')).toBe(long.toUpperCase());
    expect(lines.length).toBeLessThanOrEqual(6);
    // Balanced: no line is less than half as long as the longest.
    const lengths = lines.map((line) => line.length);
    expect(Math.min(...lengths) * 2).toBeGreaterThanOrEqual(Math.max(...lengths));
  });

  it('breaks a word too long for any size, and cuts what still does not fit', () => {
    const lines = titleLines(posterSvg({ title: 'W'.repeat(80), year: 2000, tags: [] }));
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.join('')).toBe('W'.repeat(80));
    const cut = titleLines(posterSvg({ title: 'W'.repeat(300), year: 2000, tags: [] }));
    expect(cut.length).toBe(6);
    expect(cut[5]?.endsWith('…')).toBe(true);
  });

  it('shows the year and a genre line', () => {
    const svg = posterSvg({
      title: 'Alien',
      year: 1979,
      tags: ['sci-fi', 'horror', 'space', 'cult'],
    });
    expect(svg).toContain('>1979</tspan>');
    expect(svg).toContain('>SCI-FI · HORROR · SPACE</text>');
  });

  it('draws something for a movie with no known genre and no title', () => {
    const svg = posterSvg({ title: '   ', year: 2000, tags: ['zz-unknown'] });
    expect(xmlProblems(svg)).toEqual([]);
    expect(titleLines(svg)).toEqual(['UNTITLED']);
  });

  /**
   * Browsers keep a poster for a year under its hash, and the hash covers the generator's
   * version, not its code: changing the drawing without bumping POSTER_GENERATOR_VERSION
   * would leave old posters in caches forever. Changed the drawing? Bump the version in
   * poster-path.ts and add its fingerprint here.
   */
  it('pins the drawing of each generator version', () => {
    const fingerprints: Record<string, string> = {
      '1': 'd70ca85b7ba42028',
    };
    const all = SAMPLE_MOVIES.map((movie) => posterSvg(movie)).join('\n') + posterSvg(HOSTILE);
    const fingerprint = createHash('sha256').update(all).digest('hex').slice(0, 16);
    expect({ version: POSTER_GENERATOR_VERSION, fingerprint }).toEqual({
      version: POSTER_GENERATOR_VERSION,
      fingerprint: fingerprints[POSTER_GENERATOR_VERSION],
    });
  });
});

describe('xmlProblems (the checker the poster tests rely on)', () => {
  it('finds what breaks well-formedness', () => {
    expect(xmlProblems('<a><b/></a>')).toEqual([]);
    expect(xmlProblems('<a><b></a>')).not.toEqual([]);
    expect(xmlProblems('<a>x & y</a>')).not.toEqual([]);
    expect(xmlProblems('<a t="<"/>')).not.toEqual([]);
    expect(xmlProblems('<a t=x/>')).not.toEqual([]);
    expect(xmlProblems('<a t="1" t="2"/>')).not.toEqual([]);
    expect(xmlProblems('<a/><b/>')).not.toEqual([]);
    expect(xmlProblems('<a>&nbsp;</a>')).not.toEqual([]);
    expect(xmlProblems('<a>\u0001</a>')).not.toEqual([]);
  });
});
