import { useEffect, useRef } from 'preact/hooks';

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
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && element.open) {
        event.preventDefault();
        close(true);
      }
    };
    const onPointer = (event: PointerEvent) => {
      if (!element.contains(event.target as Node)) close(false);
    };
    const onFocusOut = (event: FocusEvent) => {
      // relatedTarget is null when focus leaves the page (another window): keep the menu as it was.
      const next = event.relatedTarget as Node | null;
      if (next && !element.contains(next)) close(false);
    };
    element.addEventListener('keydown', onKey);
    element.addEventListener('focusout', onFocusOut);
    document.addEventListener('pointerdown', onPointer);
    return () => {
      element.removeEventListener('keydown', onKey);
      element.removeEventListener('focusout', onFocusOut);
      document.removeEventListener('pointerdown', onPointer);
    };
  }, []);
  return ref;
}

/** Which metric, param and tag columns the runs table shows (kept in the URL as col=…). */
export function ColumnPicker(props: {
  keys: { metrics: string[]; params: string[]; tags: string[] };
  chosen: readonly string[];
  onChange: (specs: string[]) => void;
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
  return (
    <details class="column-picker" ref={details}>
      <summary class="button">Columns ({props.chosen.length})</summary>
      <div class="card column-menu">
        {groups.map(([title, kind, keys]) => (
          <fieldset key={kind}>
            <legend>{title}</legend>
            {keys.length === 0 && <span class="muted">none in the loaded runs</span>}
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
        ))}
      </div>
    </details>
  );
}
