/**
 * The first fenced code block of a language under a `## heading` of a Markdown text: how the
 * frameworks check runs exactly the code chapter 20 shows.
 *
 * @throws Error naming the heading and language when there is no such block
 */
export function codeBlockUnder(markdown: string, heading: string, language: string): string {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line === `## ${heading}`);
  if (start === -1) throw new Error(`no "## ${heading}" section`);
  const next = lines.findIndex((line, index) => index > start && line.startsWith('## '));
  const section = lines.slice(start + 1, next === -1 ? undefined : next);
  const open = section.findIndex((line) => line === '```' + language);
  if (open === -1) throw new Error(`no \`\`\`${language} block under "## ${heading}"`);
  const close = section.findIndex((line, index) => index > open && line === '```');
  if (close === -1) throw new Error(`the \`\`\`${language} block under "## ${heading}" is never closed`);
  return `${section.slice(open + 1, close).join('\n')}\n`;
}
