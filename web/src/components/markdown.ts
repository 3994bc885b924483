import DOMPurify from 'dompurify';
import { marked } from 'marked';

/**
 * Markdown to HTML for artifact previews, loaded only when a markdown file is
 * opened. An artifact is anyone's input, so the HTML is sanitised (no scripts,
 * handlers or javascript: links), and the CSP forbids inline script anyway.
 */
export function renderMarkdown(text: string): string {
  const html = marked.parse(text, { async: false, gfm: true });
  return DOMPurify.sanitize(html, { USE_PROFILES: { html: true }, FORBID_TAGS: ['style', 'form', 'input'] });
}
