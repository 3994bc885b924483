import { updateQuery } from '../router.ts';

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

/**
 * A list's tag filter ("team=risk, stage=prod"), kept in the URL's `tags` so a
 * filtered list can be linked. Applied on Enter or when the field is left, not
 * at every keystroke: a half-typed `key=` would filter on an empty value.
 */
export function TagFilterInput(props: { label: string; placeholder: string; width: string; value: string }) {
  const apply = (value: string) => updateQuery({ tags: value });
  return (
    <input
      type="search"
      class="tag-filter"
      aria-label={props.label}
      placeholder={props.placeholder}
      style={{ width: props.width }}
      defaultValue={props.value}
      onChange={(event) => apply(event.currentTarget.value)}
      onKeyDown={(event) => event.key === 'Enter' && apply(event.currentTarget.value)}
    />
  );
}
