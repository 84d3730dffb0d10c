// Ends every run with plain lines that any CI can read: the databases that ran with their own counts, which files
// skipped tests, and last "summary: N passed, N failed, N skipped".
const path = require("node:path");

/** Passed, failed and skipped tests of some suites; a suite that could not run (a syntax error, a failing beforeAll,
 * a service CI requires) has no failed tests but must count as one. */
function count(suites) {
  return suites.reduce(
    (sum, suite) => ({
      passed: sum.passed + suite.numPassingTests,
      failed: sum.failed + suite.numFailingTests + (suite.testExecError ? 1 : 0),
      skipped: sum.skipped + suite.numPendingTests + suite.numTodoTests,
    }),
    { passed: 0, failed: 0, skipped: 0 },
  );
}

const line = (label, { passed, failed, skipped }) => `${label}: ${passed} passed, ${failed} failed, ${skipped} skipped\n`;
const projectOf = (suite) => (suite.displayName ? suite.displayName.name ?? suite.displayName : "");

class SummaryReporter {
  // Jest leaves displayName off the results of files that could not run or skipped everything: take the project's.
  onTestResult(test, result) {
    result.displayName ??= test.context.config.displayName;
  }

  onRunComplete(_contexts, results) {
    // Under CI a run without PostgreSQL must not pass by skipping it (.ci/run sets TEST_DATABASE_URL).
    this.missingPostgres = process.env.CI === "true" && !process.env.TEST_DATABASE_URL;
    const databases = process.env.TEST_DATABASE_URL
      ? "databases: sqlite and postgres (TEST_DATABASE_URL)"
      : this.missingPostgres
        ? "databases: sqlite only, and CI=true requires postgres: TEST_DATABASE_URL is not set (failed)"
        : "databases: sqlite only (postgres skipped: TEST_DATABASE_URL is not set)";
    const perDatabase = ["sqlite", "postgres"]
      .map((project) => [project, results.testResults.filter((suite) => projectOf(suite) === project)])
      .filter(([, suites]) => suites.length > 0)
      .map(([project, suites]) => line(project, count(suites)))
      .join("");
    // Each file says why it skips (a missing service or browser) where it starts; this names them at the end.
    const skippedFiles = results.testResults
      .filter((suite) => suite.numPendingTests + suite.numTodoTests > 0)
      .map((suite) => {
        const project = projectOf(suite) ? `${projectOf(suite)} ` : "";
        const skipped = suite.numPendingTests + suite.numTodoTests;
        return `skipped: ${project}${path.relative(process.cwd(), suite.testFilePath)}, ${skipped} test${skipped === 1 ? "" : "s"}\n`;
      })
      .join("");
    const total = count(results.testResults);
    if (this.missingPostgres) total.failed += 1;
    process.stdout.write(`\n${databases}\n${skippedFiles}${perDatabase}${line("summary", total)}`);
  }

  /** Makes Jest exit non-zero for what no test failed: a CI run that left PostgreSQL out. */
  getLastError() {
    return this.missingPostgres ? new Error("CI=true requires PostgreSQL: set TEST_DATABASE_URL") : undefined;
  }
}
module.exports = SummaryReporter;
