/** Browsers by their User-Agent token, most specific first (Edge and Opera also say "Chrome"). */
const BROWSERS: { name: string; pattern: RegExp }[] = [
  { name: 'Edge', pattern: /\bEdg(?:e|A|iOS)?\/(\d+)/ },
  { name: 'Opera', pattern: /\b(?:OPR|Opera)\/(\d+)/ },
  { name: 'Samsung Internet', pattern: /\bSamsungBrowser\/(\d+)/ },
  { name: 'Firefox', pattern: /\b(?:Firefox|FxiOS)\/(\d+)/ },
  { name: 'Chromium', pattern: /\bChromium\/(\d+)/ },
  // Headless Chromium says "HeadlessChrome/…" (no word boundary before "Chrome").
  { name: 'Chrome', pattern: /\b(?:Chrome|CriOS|HeadlessChrome)\/(\d+)/ },
  { name: 'Safari', pattern: /\bVersion\/(\d+)[.\d]* (?:Mobile\/\S+ )?Safari\// },
  { name: 'curl', pattern: /^curl\/(\d+)/ },
];

/** Systems, most specific first (iPhones say "like Mac OS X", Android says "Linux"). */
const SYSTEMS: { name: string; pattern: RegExp }[] = [
  { name: 'iPhone', pattern: /\biPhone\b/ },
  { name: 'iPad', pattern: /\biPad\b/ },
  { name: 'Android', pattern: /\bAndroid\b/ },
  { name: 'ChromeOS', pattern: /\bCrOS\b/ },
  { name: 'Windows', pattern: /\bWindows\b/ },
  { name: 'macOS', pattern: /\bMac OS X\b|\bMacintosh\b/ },
  { name: 'Linux', pattern: /\bLinux\b/ },
];

/** Longest raw User-Agent shown when it names no known browser. */
const RAW_MAX = 60;

/**
 * A session's User-Agent for people: "Firefox 128 on Linux", "Safari 17 on iPhone". One the
 * list does not know is shown as it is, cut short; none at all is "Unknown browser".
 */
export function describeUserAgent(userAgent: string | null | undefined): string {
  const ua = (userAgent ?? '').trim();
  if (!ua) return 'Unknown browser';
  const system = SYSTEMS.find(({ pattern }) => pattern.test(ua))?.name;
  for (const { name, pattern } of BROWSERS) {
    const match = pattern.exec(ua);
    if (match) return `${name} ${match[1] ?? ''}`.trim() + (system ? ` on ${system}` : '');
  }
  return ua.length > RAW_MAX ? `${ua.slice(0, RAW_MAX - 1)}…` : ua;
}
