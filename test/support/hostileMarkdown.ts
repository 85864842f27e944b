import { createRequire } from 'node:module';

/** An independent CommonMark renderer, with autolinking of bare URLs and raw HTML switched on (the strictest reading). */
const MarkdownIt = createRequire(__filename)('markdown-it') as new (options: object) => { render(text: string): string };
export const markdownRenderer = new MarkdownIt({ html: true, linkify: true });

/** Registry text that would be markdown (links, images, HTML, autolinks, blocks, icons) if it were not escaped. */
export const HOSTILE_MARKDOWN = [
  '[approve me](https://evil.example/phish)',
  '![tracker](https://evil.example/pixel.png)',
  '<img src=x onerror=alert(1)>',
  '<a href="https://evil.example">x</a>',
  'see https://evil.example/now and www.evil.example',
  '**loud** _quiet_ ~~struck~~ `code`',
  '$(alert) $(sync~spin)',
  'line one\n# a heading\n- a list\r\n> a quote',
  '[ref]: https://evil.example\n[ref]',
  'ends with a backslash \\',
  '&lt;script&gt; &amp; &#x41;',
  '01HQ9Z | table | cell |\n|---|---|',
];

/** The text a reader sees: tags removed, entities decoded. */
export function visibleText(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

