import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

// Page audits for the browser test: axe-core and horizontal overflow, each returning readable
// lines (empty when the page passes), so a failure names the rule, the element and the numbers.

/** The WCAG 2.x A and AA tags: their rules run on top of axe's defaults, even those off by default. */
export const WCAG_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

let axeSource: string | null = null;

/** axe-core's own build, read once (the installed package, nothing fetched). */
function readAxeSource(): string {
  axeSource ??= readFileSync(require.resolve('axe-core'), 'utf8');
  return axeSource;
}

/** One violation, as the browser hands it back (axe's result objects trimmed to what is reported). */
interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string; summary: string }[];
}

/**
 * axe-core's violations of any impact on the page as loaded now: the default rules plus every
 * rule tagged WCAG 2.x A/AA. The script goes in as an inline `<script>`, which the site's CSP
 * refuses: the page's context must be created with `bypassCSP: true` (audit contexts only; the
 * CSP detectors run in contexts that enforce it).
 */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: readAxeSource() });
  const findings = await page.evaluate(async (tags): Promise<AxeFinding[]> => {
    interface AxeResult {
      id: string;
      impact?: string | null;
      help: string;
      nodes: { target: unknown[]; failureSummary?: string }[];
    }
    const axe = (
      window as unknown as {
        axe: {
          getRules(tags: string[]): { ruleId: string }[];
          run(
            context: Document,
            options: { resultTypes: string[]; rules: Record<string, { enabled: boolean }> },
          ): Promise<{ violations: AxeResult[] }>;
        };
      }
    ).axe;
    // Enabling the tagged rules explicitly turns on the few AA rules axe leaves off by default.
    const rules = Object.fromEntries(
      axe.getRules(tags).map(({ ruleId }) => [ruleId, { enabled: true }]),
    );
    const { violations } = await axe.run(document, { resultTypes: ['violations'], rules });
    return violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact ?? null,
      help: violation.help,
      nodes: violation.nodes.map((node) => ({
        target: node.target.map(String).join(' > '),
        summary: (node.failureSummary ?? '').replace(/\s+/g, ' ').trim(),
      })),
    }));
  }, WCAG_AA_TAGS);
  return findings.flatMap((finding) =>
    finding.nodes.map(
      (node) =>
        `${finding.id} (${finding.impact ?? 'no impact'}): ${finding.help} | ${node.target} | ${node.summary}`,
    ),
  );
}

/**
 * What sticks out of the viewport horizontally: the document wider than the window, and every
 * element whose right edge passes the window's, unless an ancestor (other than html and body,
 * which would only hide the problem) clips or scrolls it and itself ends inside the window, as
 * the genre chip scroller does on purpose. At most `limit` elements are listed.
 */
export async function horizontalOverflow(page: Page, limit = 10): Promise<string[]> {
  return page.evaluate((max) => {
    const width = window.innerWidth;
    // Sub-pixel layout can put an edge a fraction of a pixel out; a real overflow is larger.
    const slack = 1;
    const found: string[] = [];
    const scrollWidth = document.documentElement.scrollWidth;
    if (scrollWidth > width)
      found.push(`document scrollWidth ${scrollWidth} > innerWidth ${width}`);

    const describe = (element: Element): string => {
      const id = element.id ? `#${element.id}` : '';
      const classes = [...element.classList].map((name) => `.${name}`).join('');
      const testId = element.getAttribute('data-testid');
      const text = (element.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 40);
      return `${element.tagName.toLowerCase()}${id}${classes}${testId ? `[data-testid="${testId}"]` : ''} "${text}"`;
    };
    const containedByAncestor = (element: Element): boolean => {
      for (let parent = element.parentElement; parent; parent = parent.parentElement) {
        if (parent === document.body || parent === document.documentElement) return false;
        const overflowX = getComputedStyle(parent).overflowX;
        if (overflowX !== 'visible' && parent.getBoundingClientRect().right <= width + slack) {
          return true;
        }
      }
      return false;
    };

    const offenders: string[] = [];
    for (const element of document.body.querySelectorAll('*')) {
      const box = element.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      if (box.right <= width + slack) continue;
      if (containedByAncestor(element)) continue;
      offenders.push(`${describe(element)} right=${Math.round(box.right)} > ${width}`);
    }
    found.push(...offenders.slice(0, max));
    if (offenders.length > max) found.push(`... and ${offenders.length - max} more elements`);
    return found;
  }, limit);
}
