// The built-in functions of Go's text/template that make sense for e-mail templates.

/** Names accepted in the first position of a command. */
export const FUNCTION_NAMES: ReadonlySet<string> = new Set([
  'and',
  'or',
  'not',
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
  'len',
  'index',
  'print',
  'html',
  'urlquery',
]);

/** Functions whose arguments are evaluated lazily (Go 1.18+ short-circuits and/or). */
export const LAZY_FUNCTIONS: ReadonlySet<string> = new Set(['and', 'or']);
