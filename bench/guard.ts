// Preloaded (node -r) into every server a benchmark run starts: stops it once the run's process is gone, even
// after a SIGKILL that left no chance to clean up, so no stray server keeps loading a shared machine.
const parent = process.ppid;
setInterval(() => {
  // An orphan is re-parented, so its ppid changes.
  if (process.ppid !== parent) process.kill(process.pid, "SIGTERM");
}, 1000).unref();

export {};
