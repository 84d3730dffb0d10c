// Ends every run with one plain line that any CI can read: "summary: N passed, N failed, N skipped".
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    // A suite that could not run (a syntax error, a failing beforeAll) has no failed tests but must count.
    const brokenSuites = results.testResults.filter((suite) => suite.testExecError).length;
    process.stdout.write(
      `\nsummary: ${results.numPassedTests} passed, ${results.numFailedTests + brokenSuites} failed, ${skipped} skipped\n`,
    );
  }
}
module.exports = SummaryReporter;
