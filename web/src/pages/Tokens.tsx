import { useEffect, useRef, useState } from 'preact/hooks';
import { readToken } from '../api/auth.ts';
import { ApiFailure, api, apiBase, unwrap } from '../api/client.ts';
import type { ApiToken as Token, CreatedApiToken as CreatedToken } from '../api/types.ts';
import { Card, ErrorBox, ListFooter } from '../components/common.tsx';
import { ActionDialog } from '../components/Dialog.tsx';
import { formatAgo, formatTime } from '../format.ts';

type Scope = Token['scope'];

const pageSize = 100;

/** What each scope may do, in the words of the README's "Tokens and workspaces". */
const scopes: Array<[Scope, string]> = [
  ['read', 'read: browse and download (GET routes only)'],
  ['write', 'write: also log runs, metrics, params, tags and artifacts (a training job)'],
  ['admin', "admin: also manage this workspace's tokens"],
  ['operator', 'operator: also create and list workspaces, for the whole deployment'],
];
const scopeRank = (scope: Scope) => scopes.findIndex(([name]) => name === scope);

/** The id part of this tab's token (`stratus_<id>_<secret>`): which row of the list is "you". */
const ownTokenId = () => /^stratus_([0-9a-f]{16})_/.exec(readToken() ?? '')?.[1];

/**
 * The workspace's API tokens (W&B's "API keys"): who can log and read, a new
 * one for a training cluster shown once with the lines that use it, and
 * revoking one. Needs an admin token; other scopes are told so.
 */
export function Tokens() {
  const [tokens, setTokens] = useState<Token[]>([]);
  const [nextToken, setNextToken] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedToken | undefined>();
  const [revoking, setRevoking] = useState<Token | undefined>();
  const generation = useRef(0);
  const own = ownTokenId();

  const load = async (pageToken: string | undefined) => {
    const mine = pageToken ? generation.current : ++generation.current;
    setLoading(true);
    setError(undefined);
    try {
      const page = unwrap(
        await api.GET('/api/v1/admin/tokens', { params: { query: { max_results: pageSize, page_token: pageToken } } }),
      );
      if (mine !== generation.current) return;
      setTokens((previous) => (pageToken ? [...previous, ...page.tokens] : page.tokens));
      setNextToken(page.next_page_token);
    } catch (failure) {
      if (mine === generation.current) setError(failure);
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  };
  useEffect(() => void load(undefined), []);

  const ownToken = tokens.find((token) => token.token_id === own);
  const workspace = ownToken?.workspace_id ?? tokens[0]?.workspace_id;
  const notAdmin = error instanceof ApiFailure && error.status === 403;

  return (
    <>
      <div class="page-header">
        <div class="title">
          <h1>Tokens</h1>
          <span class="muted">
            {workspace ? (
              <>
                API tokens of workspace <strong>{workspace}</strong>.{' '}
              </>
            ) : null}
            A token is shown once, when it is created; the service keeps only its hash.
          </span>
        </div>
        {!notAdmin && (
          <div class="actions">
            <button class="primary" type="button" onClick={() => setCreating(true)}>
              New token
            </button>
          </div>
        )}
      </div>
      {created && <CreatedTokenCard token={created} onDone={() => setCreated(undefined)} />}
      {notAdmin ? (
        <div class="card empty" role="status">
          <h2>Tokens need an admin token</h2>
          <p>
            This tab signed in with a token that cannot manage tokens ({(error as ApiFailure).message}). Ask an admin of
            your workspace for a token, or sign in with an admin token.
          </p>
        </div>
      ) : (
        <>
          {error !== undefined && <ErrorBox error={error} />}
          <div class="card">
            <div class="table-scroll">
              <table class="data stacked" aria-label="Tokens">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Scope</th>
                    <th scope="col">Token id</th>
                    <th scope="col">Created</th>
                    <th scope="col">State</th>
                    <th scope="col">
                      <span class="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {tokens.map((token) => (
                    <tr key={token.token_id} data-token-id={token.token_id}>
                      <td class="token-name lead">
                        <span class="cut-name" title={token.name}>
                          {token.name}
                        </span>
                        {token.token_id === own && <span class="badge own">this tab</span>}
                      </td>
                      <td class="meta" data-label="scope">
                        {token.scope}
                      </td>
                      <td class="meta" data-label="id">
                        <code>{token.token_id}</code>
                      </td>
                      <td class="meta" data-label="created" title={formatTime(token.created_at)}>
                        {formatAgo(token.created_at)}
                      </td>
                      <td class="meta state">
                        {token.revoked_at ? (
                          <span class="status deleted" title={formatTime(token.revoked_at)}>
                            revoked {formatAgo(token.revoked_at)}
                          </span>
                        ) : (
                          <span class="status FINISHED">active</span>
                        )}
                      </td>
                      <td class="num aside">
                        {!token.revoked_at && token.token_id !== own && (
                          <button
                            type="button"
                            class="small danger"
                            aria-label={`Revoke ${token.name}`}
                            onClick={() => setRevoking(token)}
                          >
                            Revoke
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <ListFooter
              count={tokens.length}
              noun="token"
              hasMore={Boolean(nextToken)}
              loading={loading}
              onMore={() => nextToken && void load(nextToken)}
            />
          </div>
        </>
      )}
      {creating && (
        <CreateTokenDialog
          maxScope={ownToken?.scope ?? 'admin'}
          onCreated={(token) => {
            setCreated(token);
            void load(undefined);
          }}
          onClose={() => setCreating(false)}
        />
      )}
      {revoking && (
        <ActionDialog
          title="Revoke token"
          actionLabel="Revoke"
          actionClass="danger"
          canSubmit
          onSubmit={async () => {
            unwrap(
              await api.DELETE('/api/v1/admin/tokens/{token_id}', {
                params: { path: { token_id: revoking.token_id } },
              }),
            );
            if (created?.token_id === revoking.token_id) setCreated(undefined);
            void load(undefined);
          }}
          onClose={() => setRevoking(undefined)}
        >
          <p>
            Revoke <strong>{revoking.name}</strong> ({revoking.scope})? Jobs and people using it are refused from then
            on (within 30 s). This cannot be undone.
          </p>
        </ActionDialog>
      )}
    </>
  );
}

function CreateTokenDialog(props: { maxScope: Scope; onCreated: (token: CreatedToken) => void; onClose: () => void }) {
  const [name, setName] = useState('');
  const [scope, setScope] = useState<Scope>('write');
  // No token mints a token of a larger scope than its own (the API refuses it too).
  const allowed = scopes.filter(([candidate]) => scopeRank(candidate) <= scopeRank(props.maxScope));
  return (
    <ActionDialog
      title="New token"
      actionLabel="Create"
      canSubmit={name.trim() !== ''}
      onSubmit={async () => {
        props.onCreated(unwrap(await api.POST('/api/v1/admin/tokens', { body: { name: name.trim(), scope } })));
      }}
      onClose={props.onClose}
    >
      <label class="field">
        Name
        <input
          type="text"
          required
          maxLength={250}
          placeholder="gpu-cluster"
          value={name}
          onInput={(event) => setName(event.currentTarget.value)}
        />
      </label>
      <label class="field">
        Scope
        <select value={scope} onChange={(event) => setScope(event.currentTarget.value as Scope)}>
          {allowed.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
    </ActionDialog>
  );
}

/** The new token, once, with the lines that point MLflow's client and Stratus's SDK at it. */
function CreatedTokenCard(props: { token: CreatedToken; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  const endpoint = apiBase || window.location.origin;
  const setup = [
    `export MLFLOW_TRACKING_URI=${endpoint}`,
    `export MLFLOW_TRACKING_TOKEN=${props.token.token}`,
    `export STRATUS_ENDPOINT=${endpoint} STRATUS_TOKEN=${props.token.token}`,
  ].join('\n');
  return (
    <div class="section created-token" style={{ marginTop: 0, marginBottom: '16px' }}>
      <Card
        id="created-token"
        title={`Token “${props.token.name}” (${props.token.scope})`}
        actions={
          <button type="button" class="small" onClick={props.onDone}>
            Done
          </button>
        }
      >
        <div class="body">
          <p class="notice" role="status" style={{ marginTop: 0 }}>
            Copy it now: it is not shown again.
          </p>
          <div class="token-secret">
            <code data-testid="new-token">{props.token.token}</code>
            <button
              type="button"
              class="small"
              onClick={() =>
                void navigator.clipboard?.writeText(props.token.token).then(
                  () => setCopied(true),
                  () => setCopied(false),
                )
              }
            >
              {copied ? 'Copied' : 'Copy'}
            </button>
          </div>
          <p class="muted">For a training job, with the stock MLflow client or the Stratus SDK:</p>
          <pre class="mono" tabIndex={0}>
            {setup}
          </pre>
        </div>
      </Card>
    </div>
  );
}
