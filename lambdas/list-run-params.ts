import { runEntryListHandler } from '../shared/http/run-entry-list-handler.ts';
import { listRunParamsRoute } from '../shared/http/routes/list-run-params.ts';
import { sealPageTokensWithDeploymentSecret } from '../shared/runtime-page-tokens.ts';

sealPageTokensWithDeploymentSecret();

export const handler = runEntryListHandler(listRunParamsRoute, 'params');
