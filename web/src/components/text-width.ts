const contexts = new Map<string, CanvasRenderingContext2D | null>();

/** A canvas context set to the page's body font with `weight` and `size` (px) put in, or the body font itself. */
function measuring(weight?: number, size?: number): CanvasRenderingContext2D | null {
  const id = `${weight ?? ''}/${size ?? ''}`;
  if (!contexts.has(id)) {
    const context = document.createElement('canvas').getContext('2d');
    if (context) {
      const body = getComputedStyle(document.body);
      context.font = weight === undefined || size === undefined ? body.font : `${weight} ${size}px ${body.fontFamily}`;
    }
    contexts.set(id, context);
  }
  return contexts.get(id) ?? null;
}

/**
 * The width in CSS pixels of `text` in the page's body font, measured by the
 * browser (a run name of wide letters needs more room than a count of
 * characters suggests, and the font differs between systems). Falls back to
 * 8.5 px a character, DejaVu Sans's widest common average at 14 px.
 */
export function textWidth(text: string): number {
  const context = measuring();
  return context ? context.measureText(text).width : text.length * 8.5;
}

/** The same for a column header's label (styles.css: `.runs-grid .grid-head`, 12 px at weight 600). */
export function headerTextWidth(text: string): number {
  const context = measuring(600, 12);
  return context ? context.measureText(text).width : text.length * 7.8;
}
