import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * The MLflow filter grammar, typed as text. When the API rejects it, its
 * message is shown with a caret under the character it names
 * ("... at position 17"), and the cursor is put there.
 */
export function errorPosition(message: string): number | undefined {
  const match = /at position (\d+)/.exec(message);
  return match ? Number(match[1]) : undefined;
}

export function FilterBox(props: {
  value: string;
  error: string | undefined;
  /** A filter this experiment could use, shown as the placeholder; empty while there is none to give yet. */
  example: string;
  onSubmit: (filter: string) => void;
}) {
  const [text, setText] = useState(props.value);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => setText(props.value), [props.value]);
  const position = props.error ? errorPosition(props.error) : undefined;

  useEffect(() => {
    if (position === undefined || !input.current) return;
    const at = Math.min(position, input.current.value.length);
    input.current.focus();
    input.current.setSelectionRange(at, Math.min(at + 1, input.current.value.length));
  }, [props.error]);

  return (
    <form
      class="filter-box grow"
      role="search"
      onSubmit={(event) => {
        event.preventDefault();
        props.onSubmit(text.trim());
      }}
    >
      <input
        ref={input}
        type="search"
        spellcheck={false}
        autocomplete="off"
        aria-label="Filter runs (MLflow syntax)"
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={props.error ? 'filter-error' : undefined}
        placeholder={props.example && `${props.example}   (Enter to apply)`}
        value={text}
        onInput={(event) => setText(event.currentTarget.value)}
      />
      {props.error && (
        <div class="filter-error" id="filter-error" role="alert" data-position={position}>
          {position !== undefined && (
            <span class="caret-line" aria-hidden="true">
              {' '.repeat(Math.min(position, 400))}^
            </span>
          )}
          <span class="message">{props.error}</span>
        </div>
      )}
    </form>
  );
}
