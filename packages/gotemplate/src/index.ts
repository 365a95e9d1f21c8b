export type { Expr, Node, Template } from './ast.js';
export { TemplateSyntaxError } from './errors.js';
export type { RenderOptions } from './exec.js';
export { templateFields } from './fields.js';
export { parseTemplate } from './parser.js';
export { compileCached, renderTemplate, TEMPLATE_CACHE_SIZE } from './render.js';
export { escapeHtml, isTruthy } from './values.js';
