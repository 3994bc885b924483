import type { ComponentChild } from 'preact';
import { useState } from 'preact/hooks';

/**
 * `**bold**`, `*italic*`, `` `code` `` and `[text](https://…)`: what MLflow's
 * notes and descriptions use in a line (MLflow's UI renders them as markdown).
 * Built as elements, never as HTML, so the text cannot inject anything; links
 * only to http(s), opened in a new tab. Line breaks stay to the CSS
 * (white-space: pre-wrap); whole-file markdown (artifacts) has its own renderer.
 */
const inline = /\*\*([^*\n]+)\*\*|`([^`\n]+)`|\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)|\*([^*\s][^*\n]*?)\*/g;

export function InlineMarkdown(props: { text: string }) {
  const parts: ComponentChild[] = [];
  let last = 0;
  for (const match of props.text.matchAll(inline)) {
    const at = match.index ?? 0;
    if (at > last) parts.push(props.text.slice(last, at));
    const [whole, bold, code, linkText, href, italic] = match;
    if (bold !== undefined) parts.push(<strong>{bold}</strong>);
    else if (code !== undefined) parts.push(<code>{code}</code>);
    else if (linkText !== undefined && href !== undefined)
      parts.push(
        <a href={href} target="_blank" rel="noopener noreferrer">
          {linkText}
        </a>,
      );
    else if (italic !== undefined) parts.push(<em>{italic}</em>);
    else parts.push(whole);
    last = at + whole.length;
  }
  if (last < props.text.length) parts.push(props.text.slice(last));
  return <>{parts}</>;
}

/** Past this many characters or lines a page's description starts folded. */
const foldedChars = 480;
const foldedLines = 5;

/**
 * A run's, a model's or a version's description under its title. One of thousands of characters (a model
 * card pasted whole) filled the first screen and pushed the page below it: past five lines it starts
 * folded to them, with a button for the rest.
 */
export function Description(props: { text: string }) {
  const [open, setOpen] = useState(false);
  const long = props.text.length > foldedChars || props.text.split('\n').length > foldedLines;
  return (
    <>
      <p class={`description ${long && !open ? 'folded' : ''}`}>
        <InlineMarkdown text={props.text} />
      </p>
      {long && (
        <button type="button" class="link small description-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? 'Show less' : 'Show the whole description'}
        </button>
      )}
    </>
  );
}
