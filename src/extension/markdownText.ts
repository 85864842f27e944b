/**
 * Registry text (ids from synced batches, names, reasons) shown inside markdown. CommonMark lets a
 * backslash escape any ASCII punctuation, so escaping all of it leaves no link, image, emphasis,
 * HTML tag, autolink (`https\://`) or theme icon (`$(…)`) that the text could open; line breaks
 * become spaces so a value cannot start a heading or a list of its own.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/\r\n?|\n/g, ' ').replace(/[!-/:-@[-`{-~]/g, '\\$&');
}
