import { loadConfig } from './config.ts';
import { usePageTokenSecret } from './storage/cursor.ts';
import { readPageTokenSecret } from './storage/page-token-secret.ts';

/**
 * Page tokens are sealed with the deployment's secret, read on the first token
 * a container issues or opens. Only the entries of routes that declare
 * `pageTokens` call this: the Secrets Manager client it brings stays out of
 * every other function's bundle (test/infra/bundle-size.test.ts checks both).
 */
export function sealPageTokensWithDeploymentSecret(): void {
  usePageTokenSecret(() => {
    const config = loadConfig();
    return readPageTokenSecret(config.pageTokenSecret, config.region);
  });
}
