/**
 * A header value may hold only printable ASCII here (HTTP allows no control
 * characters, and Node and API Gateway refuse or mangle the rest), yet a search
 * plan names user keys, which may be any Unicode: everything outside printable
 * ASCII, and `%` itself, is percent-encoded as UTF-8, so `decodeURIComponent`
 * restores it (docs/search.md).
 */
const headerText = (text: string): string => text.replace(/[^\x20-\x24\x26-\x7e]/gu, encodeURIComponent);

/** The plan a search took, in a header of both dialects' search answers. */
export const searchPlanHeader = (plan: string) => ({ 'x-stratus-search-plan': headerText(plan) });
