import type { Page } from 'playwright-core';

/** A text element whose contrast with its background is below WCAG 2.1 AA. */
export interface ContrastFailure {
  readonly text: string;
  readonly color: string;
  readonly background: string;
  readonly ratio: number;
  readonly required: number;
}

/**
 * WCAG 2.1 contrast (success criterion 1.4.3) of every visible element that
 * holds text of its own, computed in the page from the styles the browser
 * applied: the text colour against the first opaque background up the tree
 * (white when none). Large text (24 px, or 18.66 px bold) needs 3:1, other
 * text 4.5:1. Returns the elements that fall short.
 *
 * @example
 * expect(await contrastFailures(page)).toEqual([]);
 */
export function contrastFailures(page: Page): Promise<ContrastFailure[]> {
  // Runs in the page (the project's TypeScript has no DOM types): plain JavaScript in a string.
  return page.evaluate(String.raw`(() => {
    const parse = (c) => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m) return [0, 0, 0, 1];
      const p = m[1]
        .split(/[ ,/]+/)
        .filter(Boolean)
        .map(Number);
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    };
    const luminance = ([r, g, b]) => {
      const ch = (v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b);
    };
    const backgroundOf = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const bg = parse(getComputedStyle(e).backgroundColor);
        if (bg[3] >= 0.99) return [bg[0], bg[1], bg[2]];
      }
      return [255, 255, 255];
    };
    const out = [];
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      const own = Array.from(el.childNodes)
        .filter((n) => n.nodeType === Node.TEXT_NODE)
        .map((n) => n.textContent ?? '')
        .join('')
        .trim();
      if (own === '' || el.closest('script, style, noscript, svg, canvas')) continue;
      const style = getComputedStyle(el);
      const rect = el.getBoundingClientRect();
      if (style.visibility === 'hidden' || style.display === 'none' || rect.width === 0 || rect.height === 0)
        continue;
      const fg = parse(style.color);
      const bg = backgroundOf(el);
      // Semi-transparent text blends with what is behind it.
      const blended = [0, 1, 2].map((i) => fg[i] * fg[3] + bg[i] * (1 - fg[3]));
      const [hi, lo] = [luminance(blended), luminance(bg)].sort((a, b) => b - a);
      const ratio = (hi + 0.05) / (lo + 0.05);
      const size = Number.parseFloat(style.fontSize);
      const bold = Number(style.fontWeight) >= 700;
      const required = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
      if (ratio < required) {
        out.push({
          text: own.slice(0, 40),
          color: style.color,
          background: 'rgb(' + bg.join(', ') + ')',
          ratio: Math.round(ratio * 100) / 100,
          required,
        });
      }
    }
    return out;
})()`) as Promise<ContrastFailure[]>;
}
