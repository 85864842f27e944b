/**
 * Orders existing model names by how well they match a name suggested from a file, best first:
 * `fraud-v3.onnx` puts `fraud-detector` above `churn`. Words shared (split at `-`, `_`, `.`; version
 * words such as `v3` or `2` left out, since they change from file to file) count most, then the
 * length of the common beginning; ties keep alphabetical order.
 */
export function modelsByMatch(names: readonly string[], suggestion: string | undefined): string[] {
  const sorted = [...names].sort((a, b) => a.localeCompare(b));
  if (!suggestion) return sorted;
  const wanted = new Set(words(suggestion));
  const score = (name: string) => words(name).filter((word) => wanted.has(word)).length * 1000 + commonPrefixLength(name, suggestion);
  const scores = new Map(sorted.map((name) => [name, score(name)]));
  return sorted.sort((a, b) => scores.get(b)! - scores.get(a)!);
}

function words(name: string): string[] {
  return name.toLowerCase().split(/[-_.\s]+/).filter((word) => word && !/^v?\d+$/.test(word));
}

function commonPrefixLength(a: string, b: string): number {
  let length = 0;
  while (length < a.length && length < b.length && a[length].toLowerCase() === b[length].toLowerCase()) length += 1;
  return length;
}
