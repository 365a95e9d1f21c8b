// The filters and query shapes the crud plan unit tests build their plans from: one own-rows filter, one
// all-rows role, a list section and a create/update/delete section with nothing else configured.
import type { ReadQuery } from '@sogoms/config';

export const OWN = { key: 'default', sql: 'user_id = :user_id' };
export const ALL = { key: 'admin', sql: '' };

export const read = (query: string, extra: Partial<ReadQuery> = {}): ReadQuery => ({
  query,
  filters: { default: OWN.sql, admin: '' },
  params: {},
  sortable: ['title'],
  limit: { default: 50, max: 500 },
  ...extra,
});

export const cud = (table: string) => ({ table, fields: ['title'], filters: {}, references: {} });
