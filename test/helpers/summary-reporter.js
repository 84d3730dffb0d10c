// Ends every run with one plain line that any CI can read: "summary: N passed, N failed, N skipped".
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    // A suite that could not run (a syntax error, a failing beforeAll) has no failed tests but must count.
    const brokenSuites = results.testResults.filter((suite) => suite.testExecError).length;
    const databases = process.env.TEST_DATABASE_URL
      ? "databases: sqlite and postgres (TEST_DATABASE_URL)"
      : "databases: sqlite only (postgres skipped: TEST_DATABASE_URL is not set)";
    process.stdout.write(
      `\n${databases}\nsummary: ${results.numPassedTests} passed, ${results.numFailedTests + brokenSuites} failed, ${skipped} skipped\n`,
    );
  }
}
module.exports = SummaryReporter;
