// `npm test` runs every file on SQLite, and the database-backed ones again on PostgreSQL when TEST_DATABASE_URL is set.
// Type errors are caught by `tsc --noEmit` before Jest runs (see `npm test`), so Jest only transpiles.
const common = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.jest.json", diagnostics: false }] },
  setupFiles: ["reflect-metadata"],
};

// Files that do not touch the database, that test SQLite itself (crash recovery, the process entry point on its
// default database, the benchmark, the browser), that start PostgreSQL servers of their own (the streaming
// replica), or whose server processes pick their databases themselves (several instances on TEST_DATABASE_URL):
// they run once, in the sqlite project.
const SQLITE_ONLY = [
  "crash", "startup", "bench-smoke", "share-page.browser", "codegen", "schema-safety",
  "sensitive-data", "config", "schema", "scale-out", "streaming-replica", "revocation-under-faults", "crawler-scan",
  "view-counts-under-faults", "revocation-during-allowance", "keep-alive",
].map((name) => `/test/${name.replace(".", "\\.")}\\.test\\.ts$`);

// Files about PostgreSQL alone: with TEST_DATABASE_URL they run in the postgres project only; without it they stay
// in the sqlite project, where they report themselves skipped. None at present: the read-replica tests start a
// PostgreSQL primary and replica of their own (streaming-replica, above).
const POSTGRES_ONLY = [].map((name) => `/test/${name}\\.test\\.ts$`);

const projects = [{ ...common, displayName: "sqlite" }];
if (process.env.TEST_DATABASE_URL) {
  projects[0].testPathIgnorePatterns = ["/node_modules/", ...POSTGRES_ONLY];
  projects.push({
    ...common,
    displayName: "postgres",
    setupFiles: ["<rootDir>/test/helpers/postgres-env.js", ...common.setupFiles],
    testPathIgnorePatterns: ["/node_modules/", ...SQLITE_ONLY],
  });
}

/** @type {import('jest').Config} */
module.exports = {
  projects,
  testTimeout: 30000,
  maxWorkers: 2,
  reporters: ["default", "<rootDir>/test/helpers/summary-reporter.js"],
};
