const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Text made safe for HTML (and inline SVG) element content and quoted attribute values: the five
 * characters that can end a text run, a tag or an attribute are replaced by entities, so no id, principal,
 * path or value from history can open an element, close `<style>` or leave an attribute. C0 and C1 controls other
 * than tab, newline and carriage return (which the HTML parser reports as errors) become U+FFFD.
 */
export function escapeHtml(text: string): string {
  return text
    .replace(/[&<>"']/g, (c) => ENTITIES[c]!)
    .replace(/[^\t\n\r\u0020-\u007e\u00a0-\uffff]/g, "\ufffd");
}
