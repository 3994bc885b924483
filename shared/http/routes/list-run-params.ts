import { runEntryListRoute } from '../run-entry-list-route.ts';

export const listRunParamsRoute = runEntryListRoute('params', 'listRunParams');
