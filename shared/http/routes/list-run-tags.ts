import { runEntryListRoute } from '../run-entry-list-route.ts';

export const listRunTagsRoute = runEntryListRoute('tags', 'listRunTags');
