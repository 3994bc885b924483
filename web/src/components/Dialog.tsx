import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from '../hooks.ts';

/** A modal dialog whose action calls the API; the API's message shows inside it when the call fails. */
export function ActionDialog(props: {
  title: string;
  children: ComponentChildren;
  actionLabel: string;
  actionClass?: string;
  canSubmit: boolean;
  onSubmit: () => Promise<void>;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  useEffect(() => dialog.current?.showModal(), []);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await props.onSubmit();
      props.onClose();
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };
  const titleId = `dialog-${props.title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <dialog ref={dialog} onClose={props.onClose} aria-labelledby={titleId}>
      <form onSubmit={submit}>
        <h2 id={titleId}>{props.title}</h2>
        {props.children}
        {error && (
          <div class="error-box" role="alert">
            {error}
          </div>
        )}
        <div class="dialog-actions">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class={props.actionClass ?? 'primary'} disabled={busy || !props.canSubmit}>
            {props.actionLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** "New …": a name and an optional description, handed to `create` trimmed (an empty description is none). */
export function CreateDialog(props: {
  title: string;
  descriptionMaxLength?: number;
  /** Said under the fields. */
  note?: ComponentChildren;
  create: (name: string, description: string | undefined) => Promise<void>;
  onClose: () => void;
}) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  return (
    <ActionDialog
      title={props.title}
      actionLabel="Create"
      canSubmit={name.trim() !== ''}
      onSubmit={() => props.create(name.trim(), description.trim() || undefined)}
      onClose={props.onClose}
    >
      <label class="field">
        Name
        <input type="text" required maxLength={250} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label class="field">
        Description (optional)
        <textarea
          rows={3}
          maxLength={props.descriptionMaxLength}
          value={description}
          onInput={(e) => setDescription(e.currentTarget.value)}
        />
      </label>
      {props.note}
    </ActionDialog>
  );
}
