// Loaded before anything from src/: the benchmark measures SQLite (its baseline is better-sqlite3), and the
// entities pick their column types from DATABASE_URL when they load, so a PostgreSQL URL left in the shell must
// not reach them. The servers it starts get their own DATABASE_URL.
delete process.env.DATABASE_URL;

export {};
