import { escapeHtml, httpUrl, jsonForScript } from './html';

describe('jsonForScript', () => {
  it('cannot end its script element or open a comment, and parses back to the same value', () => {
    const value = { title: '</script><script>alert(1)</script><!-- \u2028\u2029 & "' };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/<\/script|<!--/i);
    expect(text).not.toContain('<');
    expect(text).not.toMatch(/[\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe('escapeHtml', () => {
  it('escapes markup and attribute quotes', () => {
    expect(escapeHtml(`<img src=x onerror="alert('1')">&`)).toBe(
      '&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;',
    );
  });
});

describe('httpUrl', () => {
  it('keeps http(s) URLs and refuses script, data and relative ones', () => {
    expect(httpUrl('https://example.com/a?b=1')).toBe('https://example.com/a?b=1');
    expect(httpUrl('http://example.com/')).toBe('http://example.com/');
    for (const value of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      ' javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      '/relative',
      '',
    ]) {
      expect(httpUrl(value)).toBeNull();
    }
  });
});
