import { useState } from 'preact/hooks';
import { describeError } from '../hooks.ts';
import { ActionDialog } from './Dialog.tsx';

/**
 * Rename, delete and restore, for experiments and runs alike. Deleting is the
 * API's soft delete: the thing leaves lists and can be restored; only an
 * admin's purge removes it for good, and that is not offered here.
 */

export function RenameDialog(props: {
  what: string;
  current: string;
  onRename: (name: string) => Promise<void>;
  onClose: () => void;
}) {
  const [name, setName] = useState(props.current);
  return (
    <ActionDialog
      title={`Rename ${props.what}`}
      actionLabel="Rename"
      canSubmit={name.trim() !== '' && name.trim() !== props.current}
      onSubmit={() => props.onRename(name.trim())}
      onClose={props.onClose}
    >
      <label class="field">
        New name
        <input
          type="text"
          required
          maxLength={250}
          value={name}
          onInput={(event) => setName(event.currentTarget.value)}
        />
      </label>
    </ActionDialog>
  );
}

export function DeleteDialog(props: {
  what: string;
  name: string;
  consequence: string;
  onDelete: () => Promise<void>;
  onClose: () => void;
}) {
  return (
    <ActionDialog
      title={`Delete ${props.what}`}
      actionLabel="Delete"
      actionClass="danger"
      canSubmit
      onSubmit={props.onDelete}
      onClose={props.onClose}
    >
      <p>
        Delete <strong>{props.name}</strong>? {props.consequence} You can restore it later.
      </p>
    </ActionDialog>
  );
}

/** Shown on a deleted experiment or run, with the way back. */
export function DeletedNotice(props: {
  what: string;
  detail: string;
  onRestore: () => Promise<void>;
  /** What the button restores when it is not this item (a run deleted with its experiment). */
  restoreLabel?: string;
}) {
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const restore = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await props.onRestore();
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="notice deleted-notice" role="status">
      <span>
        This {props.what} is deleted: {props.detail}
      </span>
      <button type="button" class="small" disabled={busy} onClick={() => void restore()}>
        {props.restoreLabel ?? 'Restore'}
      </button>
      {error && (
        <span class="error-text" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
