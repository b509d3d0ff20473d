// Preloaded into each cold-start child (`node --require`): prints the process's own CPU time at exit
// on stderr, where the bench reads it. CommonJS, so that it costs every contender the same few
// microseconds and loads no ESM machinery of its own.
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  process.stderr.write(`__keyway_bench_cpu_us=${user + system}\n`);
});
