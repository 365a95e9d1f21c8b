export { clausesOf, findTopLevelClauses, type TopLevelClauses } from './clauses.js';
export { deferredJoin } from './deferred-join.js';
export { SqlError } from './errors.js';
export { type CompiledSql, compileNamed, isIdentifier, placeholderNames } from './placeholders.js';
export { addCondition, appendLimit, replaceOrderBy } from './rewrite.js';
export { isSignificant, type SqlToken, type SqlTokenType, scanSql } from './scanner.js';
