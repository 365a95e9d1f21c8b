/** DOCTECH.md's text with its table of contents rewritten from its ## and ### headings. */
export function withContents(text: string): string;
/** The contents list of a Markdown text. */
export function tableOfContents(text: string): string;
/** GitHub's anchor of a heading title; `seen` numbers repeated anchors. */
export function anchorOf(title: string, seen: Map<string, number>): string;
