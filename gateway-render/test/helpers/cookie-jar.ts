/** One cookie as a response set it. */
export interface SetCookie {
  name: string;
  value: string;
  /** Attributes, lower-cased names (`max-age`, `httponly`, `samesite`, `path`, `secure`, `expires`). */
  attributes: Record<string, string | true>;
}

/** Parses `Set-Cookie` headers (supertest's `res.headers['set-cookie']` or fetch's getSetCookie()). */
export function parseSetCookies(headers: string[] | string | undefined): SetCookie[] {
  const list = headers === undefined ? [] : Array.isArray(headers) ? headers : [headers];
  return list.map((header) => {
    const [pair = '', ...rest] = header.split(';');
    const eq = pair.indexOf('=');
    const attributes: Record<string, string | true> = {};
    for (const part of rest) {
      const [key = '', ...value] = part.trim().split('=');
      attributes[key.toLowerCase()] = value.length > 0 ? value.join('=') : true;
    }
    return {
      name: pair.slice(0, eq).trim(),
      value: decodeURIComponent(pair.slice(eq + 1).trim()),
      attributes,
    };
  });
}

/** A browser-like cookie store for tests: keeps what responses set, drops what they clear. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  /** Applies a response's Set-Cookie headers; returns the parsed cookies. */
  update(headers: string[] | string | undefined): SetCookie[] {
    const parsed = parseSetCookies(headers);
    for (const cookie of parsed) {
      const expires = cookie.attributes.expires;
      const cleared =
        cookie.value === '' ||
        cookie.attributes['max-age'] === '0' ||
        (typeof expires === 'string' && Date.parse(expires) <= Date.now());
      if (cleared) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    return parsed;
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  set(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  names(): string[] {
    return [...this.cookies.keys()];
  }

  /** The `Cookie` request header. */
  header(): string {
    return [...this.cookies]
      .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
      .join('; ');
  }
}
