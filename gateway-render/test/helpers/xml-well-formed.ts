/**
 * Problems that make `text` not a well-formed XML 1.0 document (empty when it is one): one root
 * element, balanced and properly nested tags, quoted and unique attributes, only the predefined
 * and numeric character references, no bare `<` or `&`, only characters XML allows. Enough for
 * generated SVG (no DTD, CDATA or processing instructions: those are reported as problems).
 */
export function xmlProblems(text: string): string[] {
  const problems: string[] = [];
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(text)) {
    problems.push('a character XML does not allow');
  }
  if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text)) {
    problems.push('a lone surrogate');
  }
  const reference = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/g;
  const checkText = (chunk: string, where: string) => {
    if (/&/.test(chunk.replace(reference, ''))) problems.push(`a bare & in ${where}`);
    if (chunk.includes('<')) problems.push(`a bare < in ${where}`);
  };
  const name = '[A-Za-z_][A-Za-z0-9_.:-]*';
  const tag = new RegExp(`^<(/?)(${name})((?:\\s+${name}\\s*=\\s*"[^"]*")*)\\s*(/?)>`);
  const attribute = new RegExp(`(${name})\\s*=\\s*"([^"]*)"`, 'g');
  const stack: string[] = [];
  let roots = 0;
  let rest = text;
  while (rest.length > 0) {
    const open = rest.indexOf('<');
    const chunk = open === -1 ? rest : rest.slice(0, open);
    if (stack.length === 0 && chunk.trim() !== '') problems.push('text outside the root');
    checkText(chunk, 'text');
    if (open === -1) break;
    rest = rest.slice(open);
    const found = tag.exec(rest);
    if (!found) {
      problems.push(`a malformed tag at "${rest.slice(0, 30)}"`);
      break;
    }
    const [whole, closing, tagName = '', attributes = '', selfClosing] = found;
    if (closing) {
      if (attributes.trim() !== '' || selfClosing) problems.push(`a malformed end tag ${whole}`);
      const expected = stack.pop();
      if (expected !== tagName) problems.push(`</${tagName}> closes <${expected ?? 'nothing'}>`);
    } else {
      if (stack.length === 0) roots += 1;
      const seen = new Set<string>();
      for (const [, attributeName = '', value = ''] of attributes.matchAll(attribute)) {
        if (seen.has(attributeName)) problems.push(`a repeated attribute ${attributeName}`);
        seen.add(attributeName);
        checkText(value, `attribute ${attributeName}`);
      }
      if (!selfClosing) stack.push(tagName);
    }
    rest = rest.slice(whole.length);
  }
  if (stack.length > 0) problems.push(`unclosed <${stack.join('>, <')}>`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}
