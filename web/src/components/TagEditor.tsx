import { useState } from 'preact/hooks';
import { api, unwrap } from '../api/client.ts';
import type { RunDetails } from '../api/types.ts';
import { describeError } from '../hooks.ts';
import { isSystemTag } from '../system-tags.ts';
import { Card } from './common.tsx';

/** A run's tags, editable after the run ended too: change a value, remove a tag, or add one. */
export function TagEditor(props: { run: RunDetails; systemTagCount: number; onSaved: () => void }) {
  const [editing, setEditing] = useState<string | undefined>();
  const [draft, setDraft] = useState('');
  const [newKey, setNewKey] = useState('');
  const [newValue, setNewValue] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [showSystem, setShowSystem] = useState(false);
  // Provenance the SDKs record (stratus.*, mlflow.*) is shown in the overview; here only on request.
  const entries = Object.entries(props.run.tags)
    .filter(([key]) => showSystem || !isSystemTag(key))
    .sort(([a], [b]) => a.localeCompare(b));

  const save = async (key: string, value: string) => {
    setBusy(true);
    setError(undefined);
    try {
      unwrap(
        await api.POST('/api/v1/runs/{run_id}/tags', {
          params: { path: { run_id: props.run.run_id } },
          body: { tags: Object.fromEntries([[key, value]]) },
        }),
      );
      setEditing(undefined);
      setNewKey('');
      setNewValue('');
      props.onSaved();
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (key: string) => {
    setBusy(true);
    setError(undefined);
    try {
      unwrap(
        await api.DELETE('/api/v1/runs/{run_id}/tags/{tag_key}', {
          params: { path: { run_id: props.run.run_id, tag_key: key } },
        }),
      );
      props.onSaved();
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card
      id="tags"
      title={`Tags (${entries.length})`}
      actions={
        props.systemTagCount > 0 && (
          <label class="checkbox muted" style={{ fontSize: '12.5px' }}>
            <input
              type="checkbox"
              checked={showSystem}
              onChange={(event) => setShowSystem(event.currentTarget.checked)}
            />
            System tags ({props.systemTagCount})
          </label>
        )
      }
    >
      <div class="table-scroll" style={{ maxHeight: '300px' }}>
        <table class="data kv">
          <tbody>
            {entries.map(([key, value]) => (
              <tr key={key}>
                <th scope="row" class="mono">
                  {key}
                </th>
                <td>
                  {editing === key ? (
                    <form
                      style={{ display: 'flex', gap: '6px' }}
                      onSubmit={(event) => {
                        event.preventDefault();
                        void save(key, draft);
                      }}
                    >
                      <input
                        type="text"
                        aria-label={`New value for ${key}`}
                        value={draft}
                        onInput={(e) => setDraft(e.currentTarget.value)}
                        style={{ flex: 1 }}
                      />
                      <button type="submit" class="small primary" disabled={busy}>
                        Save
                      </button>
                      <button type="button" class="small" onClick={() => setEditing(undefined)}>
                        Cancel
                      </button>
                    </form>
                  ) : (
                    <div
                      style={{ display: 'flex', gap: '8px', justifyContent: 'space-between', alignItems: 'flex-start' }}
                    >
                      <span style={{ wordBreak: 'break-word', flex: 1 }}>{value}</span>
                      <button
                        type="button"
                        class="small"
                        aria-label={`Edit tag ${key}`}
                        onClick={() => {
                          setEditing(key);
                          setDraft(value);
                        }}
                      >
                        Edit
                      </button>
                      <button
                        type="button"
                        class="small danger"
                        aria-label={`Remove tag ${key}`}
                        disabled={busy}
                        onClick={() => void remove(key)}
                      >
                        Remove
                      </button>
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {entries.length === 0 && <div class="empty">No tags.</div>}
      </div>
      <form
        class="body"
        style={{ display: 'flex', gap: '8px', borderTop: '1px solid var(--border)' }}
        onSubmit={(event) => {
          event.preventDefault();
          if (newKey.trim()) void save(newKey.trim(), newValue);
        }}
      >
        <input
          type="text"
          placeholder="key"
          aria-label="New tag key"
          value={newKey}
          onInput={(e) => setNewKey(e.currentTarget.value)}
          style={{ width: '40%' }}
        />
        <input
          type="text"
          placeholder="value"
          aria-label="New tag value"
          value={newValue}
          onInput={(e) => setNewValue(e.currentTarget.value)}
          style={{ flex: 1 }}
        />
        <button type="submit" disabled={busy || !newKey.trim()}>
          Add tag
        </button>
      </form>
      {error && (
        <div class="error-box" role="alert" style={{ margin: '0 16px 12px' }}>
          {error}
        </div>
      )}
    </Card>
  );
}
