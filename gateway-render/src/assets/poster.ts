// The generated poster: an SVG composition (400 × 600, 2:3) from a movie's title, year and tags.
// Pure and deterministic: the same movie always gives the same bytes, which is what lets
// `/assets/posters/<id>-<hash>.svg` be cached for a year by every browser and every render
// process. Everything it draws changes with POSTER_GENERATOR_VERSION (see poster-path.ts).
import type { PosterMovie } from './poster-path';

const WIDTH = 400;
const HEIGHT = 600;
/** Left and right margin of the text block. */
const MARGIN = 32;
const TEXT_WIDTH = WIDTH - 2 * MARGIN;

/** Generic stacks only: a poster may not load fonts (its CSP is `default-src 'none'`). */
const FONTS = {
  sans: "'Helvetica Neue',Arial,'Liberation Sans',sans-serif",
  serif: "Georgia,'Times New Roman','Liberation Serif',serif",
  mono: "'Courier New','Liberation Mono',monospace",
} as const;
type FontKind = keyof typeof FONTS;

/** A random source seeded from the title, so two movies of one genre still differ. */
type Random = () => number;

/** What a motif is drawn with. */
interface Colors {
  /** The background's darker end, for shapes cut out of the motif. */
  dark: string;
  accent: string;
  /** A second accent (the secondary genre's hue when there is one). */
  accent2: string;
  light: string;
}

/** Draws a genre's motif (in the upper two thirds: the title sits below it). */
type Motif = (random: Random, colors: Colors) => string;

interface Genre {
  /** The background's hue, saturation and lightness (percent). */
  hue: number;
  sat: number;
  light: number;
  /** The motif's hue. */
  accent: number;
  font: FontKind;
  align: 'center' | 'left';
  motif: Motif;
}

// --- small helpers --------------------------------------------------------------------------

/** mulberry32: tiny, fast and good enough for picking shapes. */
function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over the UTF-16 code units: a seed, not a security boundary. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** An integer in [min, max]. */
function between(random: Random, min: number, max: number): number {
  return Math.floor(min + random() * (max - min + 1));
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** `#rrggbb` from HSL (hue in degrees, saturation and lightness in percent). */
function hsl(hue: number, sat: number, light: number): string {
  const h = (((hue % 360) + 360) % 360) / 360;
  const s = clamp(sat, 0, 100) / 100;
  const l = clamp(light, 0, 100) / 100;
  const q = l < 0.5 ? l * (1 + s) : l + s - l * s;
  const p = 2 * l - q;
  const channel = (t0: number) => {
    const t = t0 < 0 ? t0 + 1 : t0 > 1 ? t0 - 1 : t0;
    const v =
      t < 1 / 6 ? p + (q - p) * 6 * t : t < 1 / 2 ? q : t < 2 / 3 ? p + (q - p) * (4 - 6 * t) : p;
    return Math.round(v * 255)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${channel(h + 1 / 3)}${channel(h)}${channel(h - 1 / 3)}`;
}

/** Escapes text for XML content and double-quoted attributes. */
function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * Drops what XML 1.0 cannot carry at all (C0 controls other than tab and newline, lone
 * surrogates, U+FFFE/U+FFFF): a title holding one would make the whole poster unparseable.
 */
function xmlSafe(text: string): string {
  return text.replace(
    // Matching control characters is the point here.
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    '',
  );
}

/** User-perceived characters, so wrapping never splits an emoji or an accented letter. */
function graphemes(text: string): string[] {
  return Array.from(
    new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text),
    (s) => s.segment,
  );
}

// --- motifs ---------------------------------------------------------------------------------

/** `n` star dots as one path (round caps on zero-length segments draw dots). */
function stars(random: Random, n: number, color: string, maxY = 360): string {
  let d = '';
  for (let i = 0; i < n; i += 1) d += `M${between(random, 8, 392)} ${between(random, 8, maxY)}h0`;
  const width = between(random, 2, 3);
  return `<path d="${d}" stroke="${color}" stroke-width="${width}" stroke-linecap="round" opacity=".8"/>`;
}

const MOTIFS = {
  /** Venetian-blind light across a figure in a hat. */
  crime(random, c) {
    const angle = between(random, -28, -12);
    const gap = between(random, 30, 42);
    let blinds = '';
    for (let y = -120; y < 560; y += gap) blinds += `M-200 ${y}h800v${Math.round(gap / 2.4)}h-800z`;
    const x = between(random, 140, 260);
    return (
      `<path d="${blinds}" fill="${c.accent}" opacity=".3" transform="rotate(${angle} 200 250)"/>` +
      `<g fill="${c.dark}"><circle cx="${x}" cy="250" r="44"/>` +
      `<path d="M${x - 95} 420q5-110 95-118q90 8 95 118z"/>` +
      // A fedora on some, bare heads on others.
      (random() < 0.6 ? `<path d="M${x - 70} 224h140l-18-12v-36q-52-20-104 0v36z"/>` : '') +
      '</g>'
    );
  },
  /** A ringed planet in a field of stars. */
  'sci-fi'(random, c) {
    const cx = between(random, 120, 280);
    const cy = between(random, 150, 250);
    const r = between(random, 60, 95);
    const tilt = between(random, -30, 30);
    return (
      stars(random, 28, c.light) +
      `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${c.accent}"/>` +
      `<circle cx="${cx + Math.round(r / 3)}" cy="${cy - Math.round(r / 4)}" r="${r}" fill="${c.dark}" opacity=".45"/>` +
      `<ellipse cx="${cx}" cy="${cy}" rx="${Math.round(r * 1.7)}" ry="${Math.round(r * 0.35)}" fill="none" stroke="${c.accent2}" stroke-width="7" transform="rotate(${tilt} ${cx} ${cy})"/>`
    );
  },
  /** Bubbly circles with highlights. */
  animation(random, c) {
    let out = '';
    const colors = [c.accent, c.accent2, c.light];
    for (let i = 0; i < 7; i += 1) {
      const r = between(random, 24, 70);
      const x = between(random, 40, 360);
      const y = between(random, 50, 340);
      out += `<circle cx="${x}" cy="${y}" r="${r}" fill="${colors[i % 3]}" opacity=".8"/>`;
      out += `<circle cx="${x - Math.round(r / 3)}" cy="${y - Math.round(r / 3)}" r="${Math.round(r / 5)}" fill="#fff" opacity=".6"/>`;
    }
    return out;
  },
  /** Stacked chevrons over a horizon. */
  war(random, c) {
    const count = between(random, 3, 5);
    const top = between(random, 90, 150);
    let d = '';
    for (let i = 0; i < count; i += 1) d += `M110 ${top + i * 44 + 40}l90-50l90 50`;
    return (
      `<path d="M0 360h400" stroke="${c.dark}" stroke-width="6"/>` +
      `<path d="${d}" fill="none" stroke="${c.accent}" stroke-width="22" stroke-linejoin="miter"/>`
    );
  },
  /** Two overlapping circles and a heart. */
  romance(random, c) {
    const y = between(random, 170, 240);
    const r = between(random, 80, 105);
    const spread = between(random, 40, 70);
    const hx = between(random, 170, 230);
    const hy = between(random, 120, 180);
    return (
      `<circle cx="${200 - spread}" cy="${y}" r="${r}" fill="${c.accent}" opacity=".75"/>` +
      `<circle cx="${200 + spread}" cy="${y}" r="${r}" fill="${c.accent2}" opacity=".6"/>` +
      `<path d="M${hx} ${hy + 20}c-30-40-80-10-60 30l60 60l60-60c20-40-30-70-60-30z" fill="${c.light}"/>`
    );
  },
  /** A full moon and dripping red from the top edge. */
  horror(random, c) {
    const mx = between(random, 110, 290);
    let drips = '';
    for (let x = 12; x < 400; x += between(random, 26, 44))
      drips += `M${x} 0v${between(random, 20, 130)}`;
    return (
      `<circle cx="${mx}" cy="${between(random, 170, 230)}" r="${between(random, 70, 95)}" fill="${c.light}" opacity=".9"/>` +
      `<path d="M0 340l60-40l30 30l40-70l50 80" fill="none" stroke="${c.dark}" stroke-width="8"/>` +
      `<rect width="400" height="16" fill="${c.accent}"/>` +
      `<path d="${drips}" stroke="${c.accent}" stroke-width="16" stroke-linecap="round"/>`
    );
  },
  /** A striped setting sun behind a mesa. */
  western(random, c) {
    const sx = between(random, 130, 270);
    const r = between(random, 90, 120);
    let stripes = '';
    for (let y = 260; y < 360; y += 18) stripes += `M0 ${y}h400`;
    const m1 = between(random, 30, 120);
    const m2 = between(random, 220, 300);
    return (
      `<circle cx="${sx}" cy="300" r="${r}" fill="${c.accent}"/>` +
      `<path d="${stripes}" stroke="${c.dark}" stroke-width="5" opacity=".5"/>` +
      `<path d="M0 380v-30h${m1}l20-60h70l20 60h${m2 - m1 - 110}l15-40h50l15 40h${400 - m2 - 80}v30z" fill="${c.dark}"/>`
    );
  },
  /** Confetti in three colours. */
  comedy(random, c) {
    let out = '';
    for (const color of [c.accent, c.accent2, c.light]) {
      let d = '';
      for (let i = 0; i < 8; i += 1) {
        const x = between(random, 10, 380);
        const y = between(random, 10, 380);
        d += `M${x} ${y}l${between(random, 6, 16)} ${between(random, -6, 6)}l${between(random, -4, 4)} ${between(random, 6, 12)}l${between(random, -16, -6)} ${between(random, -6, 6)}z`;
      }
      out += `<path d="${d}" fill="${color}"/>`;
    }
    return (
      out +
      `<circle cx="${between(random, 120, 280)}" cy="200" r="60" fill="none" stroke="${c.light}" stroke-width="10"/>`
    );
  },
  /** A spiral with a red point at its heart. */
  thriller(random, c) {
    const cx = between(random, 150, 250);
    const cy = between(random, 180, 240);
    let d = `M${cx} ${cy}`;
    for (let i = 1, side = 1; i <= 9; i += 1, side = -side) {
      const r = i * 14;
      d += `a${r} ${r} 0 0 1 ${side * r * 2} 0`;
    }
    return (
      `<path d="${d}" fill="none" stroke="${c.accent}" stroke-width="${between(random, 5, 9)}" transform="rotate(${between(random, 0, 359)} ${cx} ${cy})"/>` +
      `<circle cx="${cx}" cy="${cy}" r="9" fill="${c.accent2}"/>`
    );
  },
  /** A keyhole in a spotlight. */
  mystery(random, c) {
    const x = between(random, 150, 250);
    const y = between(random, 170, 220);
    return (
      `<circle cx="${x}" cy="${y + 20}" r="${between(random, 110, 135)}" fill="${c.accent}" opacity=".85"/>` +
      `<circle cx="${x}" cy="${y}" r="34" fill="${c.dark}"/>` +
      `<path d="M${x - 16} ${y + 20}h32l14 90h-60z" fill="${c.dark}"/>` +
      stars(random, 10, c.light, 120)
    );
  },
  /** A castle under a crescent and stars. */
  fantasy(random, c) {
    const x = between(random, 80, 160);
    const mx = between(random, 250, 340);
    return (
      stars(random, 18, c.light, 220) +
      `<circle cx="${mx}" cy="90" r="34" fill="${c.accent}"/><circle cx="${mx + 14}" cy="80" r="30" fill="${c.dark}"/>` +
      `<path d="M${x} 380v-150h12v-14h12v14h12v14h20v-60l20-34l20 34v60h20v-14h12v14h12v-14h12v14h12v150z" fill="${c.dark}"/>` +
      `<path d="M${x + 110} 260v30" stroke="${c.accent2}" stroke-width="8"/>`
    );
  },
  /** A tilted film strip with three frames. */
  documentary(random, c) {
    let holes = '';
    for (let x = -40; x < 440; x += 24) holes += `M${x} 148h12v12h-12zM${x} 300h12v12h-12z`;
    let frames = '';
    const offset = between(random, -30, 30);
    for (let i = 0; i < 3; i += 1)
      frames += `<rect x="${offset + 10 + i * 135}" y="172" width="110" height="116" fill="${i === 1 ? c.accent : c.accent2}" opacity=".75"/>`;
    return (
      `<g transform="rotate(${between(random, -14, -4)} 200 230)"><rect x="-60" y="136" width="520" height="188" fill="${c.dark}"/>` +
      `<path d="${holes}" fill="${c.light}"/>${frames}</g>`
    );
  },
  /** Equalizer bars. */
  musical(random, c) {
    let d = '';
    for (let x = 40; x <= 360; x += 29) d += `M${x} 370v-${between(random, 40, 250)}`;
    return (
      `<path d="${d}" stroke="${c.accent}" stroke-width="18" stroke-linecap="round"/>` +
      `<circle cx="${between(random, 80, 320)}" cy="${between(random, 70, 120)}" r="14" fill="${c.accent2}"/>`
    );
  },
  /** A temple front: pediment and columns. */
  history(random, c) {
    const count = between(random, 4, 6);
    const step = Math.round(260 / (count - 1));
    const peak = between(random, 60, 90);
    let columns = '';
    for (let i = 0; i < count; i += 1) columns += `M${70 + i * step} 190v160`;
    return (
      `<g fill="${c.accent}" opacity=".8"><path d="M50 180l150-${peak}l150 ${peak}z"/>` +
      `<rect x="50" y="350" width="300" height="14"/></g>` +
      `<path d="${columns}" stroke="${c.accent}" stroke-width="${Math.round(120 / count)}" opacity=".8"/>`
    );
  },
  /** Mountain ranges under a sun. */
  adventure(random, c) {
    const p1 = between(random, 90, 160);
    const p2 = between(random, 230, 320);
    return (
      `<circle cx="${between(random, 80, 320)}" cy="${between(random, 90, 150)}" r="40" fill="${c.accent}"/>` +
      `<path d="M0 370l${p1}-${between(random, 170, 220)}l${p2 - p1} ${between(random, 60, 120)}l${400 - p2} -50v${between(random, 60, 110)}h-400z" fill="${c.dark}" opacity=".6"/>` +
      `<path d="M-20 370l${p2 - 40}-${between(random, 120, 170)}l${440 - p2} 170z" fill="${c.dark}"/>`
    );
  },
  /** A starburst of rays around a blast. */
  action(random, c) {
    const cx = between(random, 140, 260);
    const cy = between(random, 170, 230);
    const rays = between(random, 9, 14);
    let d = '';
    for (let i = 0; i < rays; i += 1) {
      const a = ((i + random() * 0.3) / rays) * Math.PI * 2;
      const b = a + Math.PI / rays / 2;
      const r = between(random, 180, 320);
      d += `M${cx} ${cy}L${Math.round(cx + Math.cos(a) * r)} ${Math.round(cy + Math.sin(a) * r)}L${Math.round(cx + Math.cos(b) * r)} ${Math.round(cy + Math.sin(b) * r)}z`;
    }
    return (
      `<path d="${d}" fill="${c.accent}" opacity=".55"/>` +
      `<circle cx="${cx}" cy="${cy}" r="${between(random, 40, 60)}" fill="${c.accent2}"/>`
    );
  },
  /** Rolling hills under a big sun. */
  family(random, c) {
    return (
      `<circle cx="${between(random, 100, 300)}" cy="${between(random, 120, 170)}" r="${between(random, 50, 70)}" fill="${c.accent}"/>` +
      `<ellipse cx="${between(random, 60, 140)}" cy="400" rx="230" ry="110" fill="${c.accent2}" opacity=".8"/>` +
      `<ellipse cx="${between(random, 260, 340)}" cy="420" rx="230" ry="110" fill="${c.dark}" opacity=".7"/>`
    );
  },
  /** A spotlight on an empty stage. */
  drama(random, c) {
    const x = between(random, 130, 270);
    const w = between(random, 90, 130);
    return (
      `<path d="M${x - 20} 0h40l${w} 340h-${2 * w + 40}z" fill="${c.accent}" opacity=".28"/>` +
      `<ellipse cx="${x}" cy="345" rx="${w + 30}" ry="26" fill="${c.accent}" opacity=".5"/>` +
      `<path d="M${x} 250v70" stroke="${c.dark}" stroke-width="16" stroke-linecap="round"/><circle cx="${x}" cy="232" r="14" fill="${c.dark}"/>`
    );
  },
  /** Bars across a high window. */
  prison(random, c) {
    const wx = between(random, 90, 190);
    let bars = '';
    for (let x = wx + 18; x < wx + 130; x += 28) bars += `M${x} 60v170`;
    return (
      `<rect x="${wx}" y="60" width="140" height="170" fill="${c.accent}" opacity=".7"/>` +
      `<path d="${bars}" stroke="${c.dark}" stroke-width="10"/>` +
      `<path d="M${wx} 230l-60 150h260l-60-150z" fill="${c.accent}" opacity=".15"/>`
    );
  },
  /** Abstract shapes, for tags without a motif of their own. */
  abstract(random, c) {
    let out = '';
    const colors = [c.accent, c.accent2, c.light];
    for (let i = 0; i < 5; i += 1) {
      const x = between(random, 40, 360);
      const y = between(random, 40, 340);
      const s = between(random, 40, 110);
      const fill = colors[i % 3];
      out +=
        i % 2 === 0
          ? `<circle cx="${x}" cy="${y}" r="${Math.round(s / 2)}" fill="${fill}" opacity=".7"/>`
          : `<rect x="${x - s}" y="${y - s / 2}" width="${s * 2}" height="${s}" fill="${fill}" opacity=".6" transform="rotate(${between(random, 0, 90)} ${x} ${y})"/>`;
    }
    return out;
  },
} satisfies Record<string, Motif>;

// --- genres ---------------------------------------------------------------------------------

/**
 * Genres by how much they say about a movie, most telling first: the first one a movie carries
 * picks its palette, motif and type ("drama" is on half the catalog and says least).
 */
const GENRES: readonly (readonly [string, Genre])[] = [
  [
    'horror',
    {
      hue: 355,
      sat: 55,
      light: 13,
      accent: 0,
      font: 'serif',
      align: 'center',
      motif: MOTIFS.horror,
    },
  ],
  [
    'western',
    {
      hue: 24,
      sat: 65,
      light: 40,
      accent: 42,
      font: 'serif',
      align: 'center',
      motif: MOTIFS.western,
    },
  ],
  [
    'war',
    { hue: 80, sat: 22, light: 26, accent: 45, font: 'sans', align: 'left', motif: MOTIFS.war },
  ],
  [
    'documentary',
    {
      hue: 210,
      sat: 14,
      light: 20,
      accent: 48,
      font: 'mono',
      align: 'left',
      motif: MOTIFS.documentary,
    },
  ],
  [
    'animation',
    {
      hue: 198,
      sat: 70,
      light: 50,
      accent: 48,
      font: 'sans',
      align: 'center',
      motif: MOTIFS.animation,
    },
  ],
  [
    'musical',
    {
      hue: 300,
      sat: 55,
      light: 26,
      accent: 185,
      font: 'sans',
      align: 'center',
      motif: MOTIFS.musical,
    },
  ],
  [
    'sci-fi',
    {
      hue: 236,
      sat: 55,
      light: 15,
      accent: 190,
      font: 'sans',
      align: 'center',
      motif: MOTIFS['sci-fi'],
    },
  ],
  [
    'fantasy',
    {
      hue: 268,
      sat: 45,
      light: 26,
      accent: 45,
      font: 'serif',
      align: 'center',
      motif: MOTIFS.fantasy,
    },
  ],
  [
    'mystery',
    {
      hue: 205,
      sat: 38,
      light: 17,
      accent: 50,
      font: 'serif',
      align: 'left',
      motif: MOTIFS.mystery,
    },
  ],
  [
    'thriller',
    {
      hue: 168,
      sat: 40,
      light: 15,
      accent: 170,
      font: 'sans',
      align: 'left',
      motif: MOTIFS.thriller,
    },
  ],
  [
    'crime',
    { hue: 220, sat: 26, light: 12, accent: 38, font: 'sans', align: 'left', motif: MOTIFS.crime },
  ],
  [
    'prison',
    {
      hue: 200,
      sat: 10,
      light: 28,
      accent: 48,
      font: 'serif',
      align: 'center',
      motif: MOTIFS.prison,
    },
  ],
  [
    'romance',
    {
      hue: 342,
      sat: 55,
      light: 42,
      accent: 8,
      font: 'serif',
      align: 'center',
      motif: MOTIFS.romance,
    },
  ],
  [
    'history',
    {
      hue: 33,
      sat: 38,
      light: 30,
      accent: 44,
      font: 'serif',
      align: 'center',
      motif: MOTIFS.history,
    },
  ],
  [
    'comedy',
    {
      hue: 46,
      sat: 85,
      light: 50,
      accent: 330,
      font: 'sans',
      align: 'center',
      motif: MOTIFS.comedy,
    },
  ],
  [
    'action',
    {
      hue: 14,
      sat: 75,
      light: 36,
      accent: 44,
      font: 'sans',
      align: 'center',
      motif: MOTIFS.action,
    },
  ],
  [
    'adventure',
    {
      hue: 150,
      sat: 42,
      light: 28,
      accent: 36,
      font: 'sans',
      align: 'center',
      motif: MOTIFS.adventure,
    },
  ],
  [
    'family',
    {
      hue: 105,
      sat: 45,
      light: 45,
      accent: 50,
      font: 'sans',
      align: 'center',
      motif: MOTIFS.family,
    },
  ],
  [
    'drama',
    {
      hue: 214,
      sat: 32,
      light: 26,
      accent: 40,
      font: 'serif',
      align: 'center',
      motif: MOTIFS.drama,
    },
  ],
];

/** Other names for the genres above (tags are free text). */
const ALIASES: Record<string, string> = {
  'science fiction': 'sci-fi',
  'science-fiction': 'sci-fi',
  scifi: 'sci-fi',
  space: 'sci-fi',
  noir: 'crime',
  heist: 'crime',
  gangster: 'crime',
  suspense: 'thriller',
  music: 'musical',
  superhero: 'action',
  'martial arts': 'action',
  animated: 'animation',
  anime: 'animation',
  biography: 'history',
  historical: 'history',
  kids: 'family',
  children: 'family',
  docs: 'documentary',
  romantic: 'romance',
};

const GENRE_BY_NAME = new Map(GENRES);
const GENRE_RANK = new Map(GENRES.map(([name], rank) => [name, rank]));

function genreName(tag: string): string {
  const name = tag.trim().toLowerCase();
  return ALIASES[name] ?? name;
}

/** The movie's known genres, most telling first. */
function knownGenres(tags: readonly string[]): Genre[] {
  const names = [...new Set(tags.map(genreName))].filter((name) => GENRE_BY_NAME.has(name));
  names.sort((a, b) => (GENRE_RANK.get(a) ?? 0) - (GENRE_RANK.get(b) ?? 0));
  return names.map((name) => GENRE_BY_NAME.get(name)).filter((genre) => genre !== undefined);
}

// --- typography -----------------------------------------------------------------------------

/**
 * Estimated advance of one upper-case grapheme in em (bold sans). A guess, since the poster
 * cannot know which font the viewer has: kept on the wide side so lines fit.
 */
function charWidth(ch: string, font: FontKind): number {
  const code = ch.codePointAt(0) ?? 0;
  // East Asian wide characters and emoji: a full em (a ZWJ sequence is one grapheme).
  if (
    code >= 0x1100 &&
    (code <= 0x115f ||
      (code >= 0x2e80 && code <= 0xa4cf) ||
      (code >= 0xac00 && code <= 0xd7a3) ||
      (code >= 0xf900 && code <= 0xfaff) ||
      (code >= 0xfe30 && code <= 0xfe4f) ||
      (code >= 0xff00 && code <= 0xff60) ||
      code >= 0x1f000 ||
      (code >= 0x2600 && code <= 0x27bf))
  ) {
    return 1.05;
  }
  if (font === 'mono') return 0.6;
  const scale = font === 'serif' ? 1.05 : 1;
  if (ch === ' ') return 0.28;
  if (/[IJ1.,:;'!|ʼ’`]/.test(ch)) return 0.34 * scale;
  if (/[MWÆŒ@]/.test(ch)) return 0.92 * scale;
  if (/[A-Z0-9&?#%]/.test(ch) || /\p{Lu}/u.test(ch)) return 0.74 * scale;
  return 0.62 * scale;
}

function textWidth(
  chars: readonly string[],
  size: number,
  font: FontKind,
  spacing: number,
): number {
  let width = 0;
  for (const ch of chars) width += charWidth(ch, font) * size;
  return width + spacing * Math.max(0, chars.length - 1);
}

/** Font sizes tried for the title, largest first, with the most lines each may use. */
const TITLE_SIZES: readonly [number, number][] = [
  [72, 2],
  [62, 2],
  [54, 3],
  [46, 3],
  [40, 3],
  [35, 4],
  [30, 4],
  [26, 5],
  [23, 5],
  [20, 6],
];

/** Letter spacing for a font size: wide for big type, tighter as it shrinks. */
const spacingFor = (size: number) => Math.max(0.5, Math.round(size / 24));

/**
 * Splits `words` into exactly `count` lines that all fit, as even as possible (the smallest sum
 * of squared differences from the average line: a balanced block, not a full first line over an
 * orphan); null when no split fits.
 */
function balancedLines(
  words: string[][],
  count: number,
  width: (line: string[]) => number,
): string[][] | null {
  const n = words.length;
  if (count > n) return null;
  const lineOf = (from: number, to: number) =>
    words.slice(from, to).flatMap((w, i) => (i === 0 ? w : [' ', ...w]));
  const target = width(lineOf(0, n)) / count;
  // cost[k][i]: the best split of the first i words into k lines; cut[k][i]: where its last starts.
  const cost = Array.from({ length: count + 1 }, () => new Array<number>(n + 1).fill(Infinity));
  const cut = Array.from({ length: count + 1 }, () => new Array<number>(n + 1).fill(0));
  cost[0][0] = 0;
  for (let k = 1; k <= count; k += 1) {
    for (let i = k; i <= n; i += 1) {
      for (let j = k - 1; j < i; j += 1) {
        const w = width(lineOf(j, i));
        if (w > TEXT_WIDTH) continue;
        const value = cost[k - 1][j] + (w - target) ** 2;
        if (value < cost[k][i]) {
          cost[k][i] = value;
          cut[k][i] = j;
        }
      }
    }
  }
  if (cost[count][n] === Infinity) return null;
  const lines: string[][] = [];
  for (let k = count, i = n; k > 0; k -= 1) {
    const j = cut[k][i];
    lines.unshift(lineOf(j, i));
    i = j;
  }
  return lines;
}

/**
 * The last resort for a title that fits no size (one huge word, or 80 wide characters): words
 * broken where they overflow, lines filled greedily, an ellipsis when even that is too long.
 */
function packedLines(
  words: string[][],
  maxLines: number,
  width: (line: string[]) => number,
): string[][] {
  const lines: string[][] = [];
  let line: string[] = [];
  for (const word of words) {
    for (const [index, ch] of word.entries()) {
      const glue = index === 0 && line.length > 0 ? [' ', ch] : [ch];
      if (line.length > 0 && width([...line, ...glue]) > TEXT_WIDTH) {
        lines.push(line);
        line = [ch];
      } else {
        line.push(...glue);
      }
    }
  }
  if (line.length > 0) lines.push(line);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  const last = kept[maxLines - 1] ?? [];
  while (last.length > 0 && width([...last, '…']) > TEXT_WIDTH) last.pop();
  last.push('…');
  return kept;
}

interface TitleLayout {
  lines: string[];
  size: number;
  spacing: number;
}

/** The title in the largest size at which it fits in few enough balanced lines. */
function layoutTitle(title: string, font: FontKind): TitleLayout {
  const words = title.split(' ').filter(Boolean).map(graphemes);
  const measure = (size: number) => {
    const spacing = spacingFor(size);
    return { spacing, width: (line: string[]) => textWidth(line, size, font, spacing) };
  };
  for (const [size, maxLines] of TITLE_SIZES) {
    const { spacing, width } = measure(size);
    for (let count = 1; count <= Math.min(maxLines, words.length); count += 1) {
      const found = balancedLines(words, count, width);
      if (found) return { lines: found.map((line) => line.join('')), size, spacing };
    }
  }
  const [size, maxLines] = TITLE_SIZES[TITLE_SIZES.length - 1] ?? [20, 6];
  const { spacing, width } = measure(size);
  const lines = packedLines(words, maxLines, width);
  return { lines: lines.map((line) => line.join('')), size, spacing };
}

/** `text` cut with an ellipsis to fit `maxWidth` at `size`. */
function fitLine(
  text: string,
  size: number,
  font: FontKind,
  spacing: number,
  maxWidth: number,
): string {
  const chars = graphemes(text);
  if (textWidth(chars, size, font, spacing) <= maxWidth) return text;
  while (chars.length > 1 && textWidth([...chars, '…'], size, font, spacing) > maxWidth)
    chars.pop();
  return `${chars.join('').trimEnd()}…`;
}

// --- the poster -----------------------------------------------------------------------------

/** For movies without a known genre: its hues come from the title's hash. */
const DEFAULT_GENRE: Omit<Genre, 'hue'> = {
  sat: 40,
  light: 24,
  accent: 0,
  font: 'sans',
  align: 'center',
  motif: MOTIFS.abstract,
};

/**
 * The movie's poster as a standalone SVG document (400 × 600, about 2–3 KB): a background from
 * its genres' palette, shifted by a hash of the title so two movies of a genre differ, the
 * genre's motif, the title set as large as its length allows, the year and a genre line. Pure
 * and deterministic. No scripts, links, fonts, images or style sheets: only shapes and text,
 * with everything from the movie escaped.
 */
export function posterSvg(movie: PosterMovie): string {
  const title = xmlSafe(movie.title).replace(/\s+/g, ' ').trim() || 'Untitled';
  const tags = movie.tags.map((tag) => xmlSafe(tag).replace(/\s+/g, ' ').trim()).filter(Boolean);
  const seed = hash32(`${title}\u0000${movie.year}`);
  const random = seededRandom(seed);
  const id = `p${seed.toString(36)}`;

  const [primary, secondary] = knownGenres(tags);
  const genre: Genre = primary ?? { ...DEFAULT_GENRE, hue: seed % 360, accent: (seed >> 9) % 360 };
  const hue = genre.hue + between(random, -22, 22);
  const sat = genre.sat + between(random, -10, 10);
  const light = genre.light + between(random, -6, 6);
  const accentHue = genre.accent + between(random, -25, 25);
  const accent2Hue = secondary
    ? secondary.hue + between(random, -10, 10)
    : accentHue + between(random, 100, 160);
  const top = hsl(hue, sat, light + 8);
  const bottom = hsl(
    secondary ? (hue + accent2Hue) / 2 : hue + between(random, -40, 40),
    sat,
    Math.max(4, light - 12),
  );
  const colors: Colors = {
    dark: hsl(hue, sat * 0.8, Math.max(3, light - 14)),
    accent: hsl(accentHue, clamp(sat + 30, 45, 90), 58),
    accent2: hsl(accent2Hue, clamp(sat + 20, 40, 85), 60),
    light: hsl(accentHue, 60, 90),
  };
  const x2 = between(random, 0, 10) / 10;

  const font = genre.font;
  const layout = layoutTitle(title.toUpperCase(), font);
  const lineHeight = Math.round(layout.size * 1.06);
  const lastBaseline = 500;
  const firstBaseline = lastBaseline - (layout.lines.length - 1) * lineHeight;
  const anchor = genre.align === 'center' ? ` text-anchor="middle"` : '';
  const x = genre.align === 'center' ? WIDTH / 2 : MARGIN;
  const tspans = layout.lines
    .map(
      (line, i) =>
        `<tspan x="${x}" y="${firstBaseline + i * lineHeight}">${escapeXml(line)}</tspan>`,
    )
    .join('');
  const genreLine = fitLine(tags.slice(0, 3).join(' · ').toUpperCase(), 12, 'sans', 3, TEXT_WIDTH);
  const label = escapeXml(`${title} (${movie.year})`);
  const year = Number.isInteger(movie.year) ? String(movie.year) : '';

  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${label}">` +
    `<title>${label}</title>` +
    `<defs><linearGradient id="${id}b" x2="${x2}" y2="1"><stop offset="0" stop-color="${top}"/><stop offset="1" stop-color="${bottom}"/></linearGradient>` +
    `<linearGradient id="${id}s" x2="0" y2="1"><stop offset="0" stop-opacity="0"/><stop offset=".6" stop-opacity=".7"/></linearGradient></defs>` +
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="url(#${id}b)"/>` +
    // The second genre's motif, faint behind the first: two sci-fi movies rarely share it.
    (secondary ? `<g opacity=".22">${secondary.motif(random, colors)}</g>` : '') +
    genre.motif(random, colors) +
    `<rect y="${firstBaseline - layout.size - 40}" width="${WIDTH}" height="${HEIGHT}" fill="url(#${id}s)"/>` +
    `<text font-family="${FONTS[font]}" font-weight="700" fill="#fff"${anchor}>` +
    `<tspan font-size="${layout.size}" letter-spacing="${layout.spacing}">${tspans}</tspan>` +
    `<tspan x="${x}" y="540" font-size="20" letter-spacing="4" fill="${colors.light}">${year}</tspan></text>` +
    `<text x="${x}" y="572" font-family="${FONTS.sans}" font-size="12" letter-spacing="3" fill="#fff" opacity=".75"${anchor}>${escapeXml(genreLine)}</text>` +
    `<rect x="10" y="10" width="380" height="580" fill="none" stroke="#fff" stroke-opacity=".25" stroke-width="2"/>` +
    `</svg>`
  );
}
