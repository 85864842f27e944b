import type { Page } from 'playwright-core';

/** A piece of text whose colour is too close to what is behind it. */
export interface ContrastFailure {
  text: string;
  /** The element's tag and classes, to find it in the page. */
  element: string;
  colour: string;
  background: string;
  ratio: number;
}

/** WCAG 2.2 AA for normal-size text (1.4.3). */
export const MIN_TEXT_CONTRAST = 4.5;

/**
 * Every visible text on the page, its computed colour against the background it is drawn on, by
 * WCAG 2.2's relative-luminance formula. Backgrounds are composited from the element outwards
 * (through shadow roots: the toolkit's buttons draw their own), semi-transparent colours over what
 * is below them, and opacity applied. Text in disabled controls is exempt, as WCAG exempts
 * inactive components. Returns the texts below `minimum`.
 */
export async function contrastFailures(page: Page, minimum = MIN_TEXT_CONTRAST): Promise<{ checked: number; failures: ContrastFailure[] }> {
  // A string, not a function: the test runner's transpiler would add helpers the page does not have.
  return page.evaluate(`(() => {
    const minimum = ${minimum};
    const parse = (value) => {
      const match = /^rgba?\\(([^)]*)\\)$/.exec(value.trim());
      if (!match) throw new Error('A colour the check cannot read: ' + value);
      const parts = match[1].split(/[\\s,/]+/).filter(Boolean).map(Number);
      return { r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1 };
    };
    const over = (top, below) => ({ r: top.r * top.a + below.r * (1 - top.a), g: top.g * top.a + below.g * (1 - top.a), b: top.b * top.a + below.b * (1 - top.a), a: 1 });
    const channel = (value) => { const v = value / 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    const luminance = (c) => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
    const ratio = (a, b) => { const [l1, l2] = [luminance(a), luminance(b)].sort((x, y) => y - x); return (l1 + 0.05) / (l2 + 0.05); };
    const parentOf = (element) => element.parentElement ?? (element.getRootNode() instanceof ShadowRoot ? element.getRootNode().host : null);
    const backgroundOf = (element) => {
      const layers = [];
      for (let node = element; node; node = parentOf(node)) {
        const colour = parse(getComputedStyle(node).backgroundColor);
        if (colour.a > 0) layers.push(colour);
        if (colour.a >= 1) break;
      }
      return layers.reverse().reduce((below, top) => over(top, below), { r: 255, g: 255, b: 255, a: 1 });
    };
    const opacityOf = (element) => { let opacity = 1; for (let node = element; node; node = parentOf(node)) opacity *= Number(getComputedStyle(node).opacity); return opacity; };
    const disabled = (element) => { for (let node = element; node; node = parentOf(node)) if (node.hasAttribute('disabled') || node.getAttribute('aria-disabled') === 'true') return true; return false; };
    const hex = (c) => '#' + [c.r, c.g, c.b].map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');
    const describe = (element) => element.tagName.toLowerCase() + (element.className && typeof element.className === 'string' ? '.' + element.className.trim().split(/\\s+/).join('.') : '');
    const elements = [];
    const collect = (root) => {
      for (const element of root.querySelectorAll('*')) {
        elements.push(element);
        if (element.shadowRoot) collect(element.shadowRoot);
      }
    };
    collect(document);
    let checked = 0;
    const failures = [];
    for (const element of elements) {
      // Text of the element itself, or slotted into it (a toolkit button's label is its own text node, drawn in its shadow root).
      const text = Array.from(element.childNodes).filter((node) => node.nodeType === Node.TEXT_NODE).map((node) => node.textContent).join('').trim();
      if (!text || ['SCRIPT', 'STYLE', 'TITLE'].includes(element.tagName)) continue;
      if (!element.checkVisibility({ visibilityProperty: true, opacityProperty: true }) || disabled(element)) continue;
      const rect = element.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0) continue;
      // Text slotted into a shadow root is drawn by the slot's box, in the slot's colour.
      const drawnAt = element.shadowRoot?.querySelector('slot:not([name])') ?? element;
      const background = backgroundOf(drawnAt);
      const colour = parse(getComputedStyle(drawnAt).color);
      const shown = over({ ...colour, a: colour.a * opacityOf(drawnAt) }, background);
      const value = ratio(shown, background);
      checked++;
      if (value < minimum) failures.push({ text: text.slice(0, 60), element: describe(element), colour: hex(shown), background: hex(background), ratio: Math.round(value * 100) / 100 });
    }
    return { checked, failures };
  })()`);
}
