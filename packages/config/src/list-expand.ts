// The ?expand= names of a list generated from schema/{app}.yaml: one per visible foreign key pointing at the
// primary key of a table that has a generated list (the users table excepted), named after the column without
// its `_id` suffix (`project_id` → `project`).
import type { SchemaTable } from './types.js';

export function schemaExpand(
  table: SchemaTable,
  tables: ReadonlyMap<string, SchemaTable>,
): Record<string, { field: string; resource: string }> {
  const expand: Record<string, { field: string; resource: string }> = {};
  for (const f of table.fields) {
    if (f.hidden || !f.foreign) continue;
    const target = tables.get(f.foreign.table);
    if (!target?.crud.includes('list') || target.fields.some((c) => c.auth)) continue;
    if (target.fields.find((c) => c.primary)?.name !== f.foreign.column) continue;
    const name = f.name.endsWith('_id') && f.name.length > 3 ? f.name.slice(0, -3) : `${f.name}_ref`;
    if (table.fields.some((c) => c.name === name)) continue; // would hide a column of the row
    expand[name] = { field: f.name, resource: target.name };
  }
  return expand;
}
