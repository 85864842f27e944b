import { weightFormatOf } from '../../core/weightFormats';

/** Text a text editor shows well: companion files (JSON, YAML, text, Markdown), not weight files. */
export function opensAsText(file: string, mediaType: string): boolean {
  const format = weightFormatOf(file);
  if (format) return ['json', 'yaml', 'text', 'markdown'].includes(format.name);
  return mediaType.startsWith('text/') || ['application/json', 'application/yaml'].includes(mediaType);
}
