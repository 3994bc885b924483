/** Parses "team=risk, stage=prod" into tag filters; the API takes them as tag.KEY=VALUE parameters. */
export function parseTagFilter(text: string): Array<[string, string]> {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const at = part.indexOf('=');
      return at < 0 ? [part, ''] : [part.slice(0, at).trim(), part.slice(at + 1).trim()];
    });
}

/**
 * The filter as query parameters. Object.fromEntries defines own properties,
 * so a key such as `__proto__` stays an ordinary parameter.
 */
export const tagParameters = (text: string): Record<string, string> =>
  Object.fromEntries(parseTagFilter(text).map(([key, value]) => [`tag.${key}`, value]));
