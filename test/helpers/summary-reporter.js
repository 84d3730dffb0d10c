// Ends every run with plain lines that any CI can read: the databases that ran, which files skipped tests, and
// "summary: N passed, N failed, N skipped".
const path = require("node:path");

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    // A suite that could not run (a syntax error, a failing beforeAll) has no failed tests but must count.
    const brokenSuites = results.testResults.filter((suite) => suite.testExecError).length;
    const databases = process.env.TEST_DATABASE_URL
      ? "databases: sqlite and postgres (TEST_DATABASE_URL)"
      : "databases: sqlite only (postgres skipped: TEST_DATABASE_URL is not set)";
    // Each file says why it skips (a missing service or browser) where it starts; this names them at the end.
    const skippedFiles = results.testResults
      .filter((suite) => suite.numPendingTests + suite.numTodoTests > 0)
      .map((suite) => {
        const project = suite.displayName ? `${suite.displayName.name ?? suite.displayName} ` : "";
        const count = suite.numPendingTests + suite.numTodoTests;
        return `skipped: ${project}${path.relative(process.cwd(), suite.testFilePath)}, ${count} test${count === 1 ? "" : "s"}\n`;
      })
      .join("");
    process.stdout.write(
      `\n${databases}\n${skippedFiles}summary: ${results.numPassedTests} passed, ${results.numFailedTests + brokenSuites} failed, ${skipped} skipped\n`,
    );
  }
}
module.exports = SummaryReporter;
