import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * Closes an open <details> menu as other menus close: Escape (focus back on
 * its summary), a click elsewhere, or focus moving out of it. A bare
 * <details> stayed open over the table until its summary was clicked again.
 */
function useDismissedMenu() {
  const ref = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const close = (focusSummary: boolean) => {
      if (!element.open) return;
      element.open = false;
      if (focusSummary) element.querySelector('summary')?.focus();
    };
    // On the document, not the menu: a re-render that drops the focused checkbox leaves focus on the page's
    // body, and Escape must still close the menu that is open.
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || !element.open) return;
      const focused = document.activeElement;
      event.preventDefault();
      close(focused === null || focused === document.body || element.contains(focused));
    };
    const onPointer = (event: PointerEvent) => {
      if (!element.contains(event.target as Node)) close(false);
    };
    const onFocusOut = (event: FocusEvent) => {
      // relatedTarget is null when focus leaves the page (another window): keep the menu as it was.
      const next = event.relatedTarget as Node | null;
      if (next && !element.contains(next)) close(false);
    };
    document.addEventListener('keydown', onKey);
    element.addEventListener('focusout', onFocusOut);
    document.addEventListener('pointerdown', onPointer);
    return () => {
      document.removeEventListener('keydown', onKey);
      element.removeEventListener('focusout', onFocusOut);
      document.removeEventListener('pointerdown', onPointer);
    };
  }, []);
  return ref;
}

/** From this many keys on, the menu has a box to find them by name. */
const searchableFrom = 12;

/** Which metric, param and tag columns the runs table shows (kept in the URL as col=…). */
export function ColumnPicker(props: {
  keys: { metrics: string[]; params: string[]; tags: string[] };
  chosen: readonly string[];
  onChange: (specs: string[]) => void;
  /** Told each time the menu opens (the page then reads keys past truncated runs' first pages). */
  onOpen?: () => void;
  /** A line under the keys: what is still being read, or what was not. */
  note?: string | undefined;
}) {
  const chosen = new Set(props.chosen);
  const toggle = (spec: string) => {
    const next = props.chosen.filter((item) => item !== spec);
    if (!chosen.has(spec)) next.push(spec);
    props.onChange(next);
  };
  const groups: Array<[string, string, string[]]> = [
    ['Metrics', 'metrics', props.keys.metrics],
    ['Params', 'params', props.keys.params],
    ['Tags', 'tags', props.keys.tags],
  ];
  const details = useDismissedMenu();
  // Runs with dozens of metrics and params: the words typed narrow the list (as the charts' search does).
  const [needle, setNeedle] = useState('');
  const words = needle.toLowerCase().split(/\s+/).filter(Boolean);
  const matches = (key: string) => words.every((word) => key.toLowerCase().includes(word));
  const total = groups.reduce((sum, [, , keys]) => sum + keys.length, 0);
  return (
    <details
      class="column-picker"
      ref={details}
      onToggle={(event) => {
        if (!event.currentTarget.open) return;
        event.currentTarget.querySelector<HTMLInputElement>('.column-search')?.focus();
        props.onOpen?.();
      }}
    >
      <summary class="button">Columns ({props.chosen.length})</summary>
      <div class="card column-menu">
        {total > searchableFrom && (
          <input
            type="search"
            class="column-search"
            placeholder={`Find among ${total} columns`}
            aria-label="Find columns by name"
            value={needle}
            onInput={(event) => setNeedle(event.currentTarget.value)}
          />
        )}
        {groups.map(([title, kind, all]) => {
          const keys = all.filter(matches);
          if (words.length > 0 && keys.length === 0) return null;
          return (
            <fieldset key={kind}>
              <legend>{title}</legend>
              {all.length === 0 && <span class="muted">none in the loaded runs</span>}
              {keys.map((key) => (
                <label class="checkbox" key={key}>
                  <input
                    type="checkbox"
                    checked={chosen.has(`${kind}.${key}`)}
                    onChange={() => toggle(`${kind}.${key}`)}
                  />
                  <span class="mono">{key}</span>
                </label>
              ))}
            </fieldset>
          );
        })}
        {words.length > 0 && groups.every(([, , keys]) => !keys.some(matches)) && (
          <span class="muted">No column holds “{needle}”.</span>
        )}
        {props.note && (
          <p class="muted small-print column-note" aria-live="polite">
            {props.note}
          </p>
        )}
      </div>
    </details>
  );
}
