// Writes DOCTECH.md's table of contents from its headings (## and ###), with GitHub's anchors, between the
// "## Table of contents" heading and the next "---". `node scripts/docs/toc.mjs --check` exits 1 when the
// contents list is out of date (tests/docs/doctech.test.ts runs the same comparison).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const file = join(root, 'DOCTECH.md');

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function anchorOf(title, seen) {
  const base = title
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .trim()
    .replace(/\s/g, '-');
  const n = seen.get(base) ?? 0;
  seen.set(base, n + 1);
  return n === 0 ? base : `${base}-${n}`;
}

/** The contents list of a Markdown text: one line per ## heading, indented ones for ###. */
export function tableOfContents(text) {
  const seen = new Map();
  const lines = [];
  let fence = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) fence = !fence;
    const m = !fence && /^(##|###) (.+)$/.exec(line);
    if (!m) continue;
    const title = m[2].trim();
    const anchor = anchorOf(title, seen);
    if (title === 'Table of contents') continue;
    lines.push(`${m[1] === '##' ? '' : '  '}- [${title}](#${anchor})`);
  }
  return lines.join('\n');
}

/** DOCTECH.md with its contents list rewritten. */
export function withContents(text) {
  const start = text.indexOf('## Table of contents\n');
  const end = text.indexOf('\n---\n', start);
  if (start < 0 || end < 0) throw new Error('DOCTECH.md: no "## Table of contents" section ending with ---');
  return `${text.slice(0, start)}## Table of contents\n\n${tableOfContents(text)}\n${text.slice(end)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = readFileSync(file, 'utf8');
  const next = withContents(text);
  if (process.argv.includes('--check')) {
    if (next !== text) {
      console.error('DOCTECH.md: the table of contents is out of date (node scripts/docs/toc.mjs)');
      process.exit(1);
    }
  } else if (next !== text) writeFileSync(file, next);
}
