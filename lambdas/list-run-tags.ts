import { runEntryListHandler } from '../shared/http/run-entry-list-handler.ts';
import { listRunTagsRoute } from '../shared/http/routes/list-run-tags.ts';
import { sealPageTokensWithDeploymentSecret } from '../shared/runtime-page-tokens.ts';

sealPageTokensWithDeploymentSecret();

export const handler = runEntryListHandler(listRunTagsRoute, 'tags');
