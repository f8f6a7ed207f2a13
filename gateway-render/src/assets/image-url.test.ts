import { usableImageUrl } from './image-url';

describe('usableImageUrl', () => {
  it('keeps absolute http(s) URLs on real hosts', () => {
    expect(usableImageUrl('https://image.tmdb.org/t/p/w500/a.jpg')).toBe(
      'https://image.tmdb.org/t/p/w500/a.jpg',
    );
    expect(usableImageUrl('http://cdn.example-images.com/a.jpg')).toBe(
      'http://cdn.example-images.com/a.jpg',
    );
    // Look-alikes of reserved names are ordinary names.
    expect(usableImageUrl('https://notexample.com/a.jpg')).toBe('https://notexample.com/a.jpg');
    expect(usableImageUrl('https://example.com.au/a.jpg')).toBe('https://example.com.au/a.jpg');
    expect(usableImageUrl('https://test.org/a.jpg')).toBe('https://test.org/a.jpg');
    expect(usableImageUrl('https://localhost.dev/a.jpg')).toBe('https://localhost.dev/a.jpg');
  });

  it('answers the normalized URL', () => {
    expect(usableImageUrl('  HTTPS://Images.Host.COM/a b.jpg ')).toBe(
      'https://images.host.com/a%20b.jpg',
    );
  });

  it.each([
    // The seed's placeholders and the documentation domains (RFC 2606), with subdomains.
    'https://covers.example.com/the-godfather.jpg',
    'https://stream.example.com/the-godfather',
    'https://example.com/a.jpg',
    'https://EXAMPLE.com./a.jpg',
    'https://example.net/a.jpg',
    'http://a.b.example.org/a.jpg',
    // Reserved top-level names (RFC 2606, RFC 6761).
    'https://covers.example/a.jpg',
    'https://covers.invalid/a.jpg',
    'https://render.test/a.jpg',
    'http://localhost:8000/a.jpg',
    'http://LOCALHOST/a.jpg',
    'http://app.localhost/a.jpg',
  ])('treats %s as no image', (url) => {
    expect(usableImageUrl(url)).toBeNull();
  });

  it.each([
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'data:image/svg+xml,<svg/>',
    'data:image/png;base64,iVBORw0KGgo=',
    'ftp://files.host.com/a.jpg',
    'file:///etc/passwd',
    'blob:https://host.com/1234',
    '//cdn.host.com/a.jpg',
    '/assets/a.jpg',
    'a.jpg',
    'not a url',
    'https://',
    'http://user:secret@host.com/a.jpg',
    '',
    '   ',
    '\u0000',
  ])('refuses %j', (url) => {
    expect(usableImageUrl(url)).toBeNull();
  });

  it('refuses nothing at all', () => {
    expect(usableImageUrl(null)).toBeNull();
    expect(usableImageUrl(undefined)).toBeNull();
    expect(usableImageUrl(42 as unknown as string)).toBeNull();
  });
});
