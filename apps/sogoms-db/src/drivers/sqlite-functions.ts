// The MySQL functions registered on SQLite connections live in @sogoms/db-prepare: `sogoctl check` prepares
// the apps' queries on its own SQLite connection, which needs the same functions to exist.
export { registerMysqlFunctions, utcDateTime } from '@sogoms/db-prepare';
