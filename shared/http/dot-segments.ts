/**
 * A request path's first segment that is `.` or `..`, as it was sent (`..`, `%2e%2e`, `.%2E`…),
 * if it has one.
 *
 * A URL parser resolves such a segment against the one before it, and the WHATWG URL standard
 * does so for the percent-encoded spellings too: `DELETE /runs/R/tags/%2e%2e` becomes
 * `DELETE /runs/R`, a request for the run itself. No key or name a path addresses is `.` or `..`
 * (written keys refuse them, see schemas/text.ts), so such a request is refused, never resolved.
 */
export function dotSegmentIn(rawPath: string | undefined): string | undefined {
  for (const segment of (rawPath ?? '').split('/')) {
    const dots = segment.replace(/%2e/gi, '.');
    if (dots === '.' || dots === '..') return segment;
  }
  return undefined;
}

/** What a request with one is told: the field is the path, and why no resource answers it. */
export const dotSegmentMessage = (segment: string) =>
  `path: a '${segment}' segment is not a name (URL parsers read it as the level above)`;
