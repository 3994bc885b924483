let context: CanvasRenderingContext2D | null | undefined;

/**
 * The width in CSS pixels of `text` in the page's body font, measured by the
 * browser (a run name of wide letters needs more room than a count of
 * characters suggests, and the font differs between systems). Falls back to
 * 8.5 px a character, DejaVu Sans's widest common average at 14 px.
 */
export function textWidth(text: string): number {
  if (context === undefined) {
    context = document.createElement('canvas').getContext('2d');
    if (context) context.font = getComputedStyle(document.body).font;
  }
  return context ? context.measureText(text).width : text.length * 8.5;
}
