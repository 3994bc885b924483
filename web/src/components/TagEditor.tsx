import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { api, unwrap } from '../api/client.ts';
import type { RunDetails } from '../api/types.ts';
import { describeError } from '../hooks.ts';
import { isSystemTag } from '../system-tags.ts';
import { Card } from './common.tsx';
import { LongValue, MoreRows, rowStep } from './LongValue.tsx';

const byKey = new Intl.Collator('en').compare;

/** A run's tags, editable after the run ended too: change a value, remove a tag, or add one. */
export function TagEditor(props: {
  run: RunDetails;
  systemTagCount: number;
  onSaved: () => void;
  /** Said above the tags while the rest of a long list is read. */
  partial?: ComponentChildren;
}) {
  const [editing, setEditing] = useState<string | undefined>();
  const [draft, setDraft] = useState('');
  const [newKey, setNewKey] = useState('');
  const [newValue, setNewValue] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [showSystem, setShowSystem] = useState(false);
  const [needle, setNeedle] = useState('');
  const [limit, setLimit] = useState(rowStep);
  // Provenance the SDKs record (stratus.*, mlflow.*) is shown in the overview; here only on request.
  const entries = useMemo(
    () =>
      Object.entries(props.run.tags)
        .filter(([key]) => showSystem || !isSystemTag(key))
        .sort(([a], [b]) => byKey(a, b)),
    [props.run.tags, showSystem],
  );
  const words = needle.toLowerCase().split(/\s+/).filter(Boolean);
  const shown =
    words.length > 0 ? entries.filter(([key]) => words.every((word) => key.toLowerCase().includes(word))) : entries;

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
      title={`Tags (${entries.length.toLocaleString('en-US')})`}
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
      {props.partial}
      {(entries.length > 12 || needle !== '') && (
        <div class="body" style={{ paddingBottom: '10px' }}>
          <input
            type="search"
            class="key-filter"
            placeholder={`Filter ${entries.length.toLocaleString('en-US')} tags by name`}
            aria-label="Filter tags by name"
            value={needle}
            onInput={(event) => setNeedle(event.currentTarget.value)}
          />
        </div>
      )}
      {/* Focusable: a keyboard scrolls a long list (axe scrollable-region-focusable). */}
      <div class="table-scroll" style={{ maxHeight: '300px' }} tabIndex={0}>
        <table class="data kv">
          <tbody>
            {shown.slice(0, limit).map(([key, value]) => (
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
                      <span style={{ wordBreak: 'break-word', flex: 1, minWidth: 0 }}>
                        <LongValue value={value} />
                      </span>
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
        {entries.length > 0 && shown.length === 0 && <div class="empty">No tag name holds “{needle}”.</div>}
      </div>
      <MoreRows
        shown={Math.min(limit, shown.length)}
        total={shown.length}
        what="tags"
        step={rowStep * 5}
        onMore={(step) => setLimit(limit + step)}
      />
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
