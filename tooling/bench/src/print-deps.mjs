// Prints the dependency benches (src/file-store.mjs, src/sync-bridge.mjs) as tables with ratios.
const fmt = (n, digits = 2) => Intl.NumberFormat('en', { maximumFractionDigits: digits }).format(n);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function table(header, rows) {
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => String(row[column]).length)));
  const line = (row) => `  ${row.map((cell, column) => String(cell).padEnd(widths[column])).join('  ')}`.trimEnd();
  console.log(line(header));
  for (const row of rows) {
    console.log(line(row));
  }
}

export function printFileStore({ single, contention, recovery, crash }) {
  console.log('file store: FileTokenStore (ours) vs proper-lockfile + write-file-atomic (peer); wall time');
  const ours = recovery.find((row) => row.label.startsWith('ours'));
  const recoveryMs = (row) => median(row.times);
  const peerRecovery = recovery.filter((row) => row !== ours);
  const c = contention;
  table(
    ['', 'ours', 'peer', 'ours vs peer'],
    [
      [
        '(a) set(), 1 process, ops/s (median of 5 x 200)',
        fmt(single.ours, 0),
        fmt(single.peer, 0),
        `${fmt(single.ours / single.peer)}x the rate`,
      ],
      [
        `(b) ${c.processes} processes x ${c.cycles} lock+get+set, total`,
        `${fmt(c.ours.ms / 1000)} s`,
        `${fmt(c.peer.ms / 1000)} s`,
        `${fmt(c.peer.ms / c.ours.ms)}x faster`,
      ],
      [
        '    final count / expected (lost updates)',
        `${c.ours.final}/${c.ours.expected} (${c.ours.expected - c.ours.final})`,
        `${c.peer.final}/${c.peer.expected} (${c.peer.expected - c.peer.final})`,
        '',
      ],
      ...peerRecovery.map((row) => [
        `(c) lock after its holder is SIGKILLed, median ms; peer ${row.label.replace('proper-lockfile ', '')}`,
        `${fmt(recoveryMs(ours), 0)} ms (${ours.times.map((t) => fmt(t, 0)).join(', ')})`,
        `${fmt(recoveryMs(row), 0)} ms (${row.times.map((t) => fmt(t, 0)).join(', ')})`,
        `${fmt(recoveryMs(row) / recoveryMs(ours), 0)}x sooner`,
      ]),
      [
        `(d) invalid documents after ${crash.ours.kills} SIGKILLed writers`,
        `${crash.ours.invalid}/${crash.ours.kills}`,
        `${crash.peer.invalid}/${crash.peer.kills}`,
        '',
      ],
      [
        '    left behind: temp files; locks of the killed writer',
        `${crash.ours.tempFilesLeft}; ${crash.ours.staleLocksLeft}`,
        `${crash.peer.tempFilesLeft}; ${crash.peer.staleLocksLeft}`,
        '',
      ],
    ],
  );
}

export function printSyncBridge({ chunk, throughput, sleepFloor, client, behaviours }) {
  console.log(`sync bridge: @keyway/node's (ours, SyncBridge from ${chunk}) vs synckit createSyncFn; wall time`);
  const { echo, sleep50 } = throughput;
  table(
    ['', 'ours', 'synckit', 'ours vs synckit'],
    [
      [
        `(a) trivial round trip (small object), calls/s (median of 5 x ${throughput.n})`,
        fmt(echo.ours, 0),
        fmt(echo.synckit, 0),
        `${fmt(echo.ours / echo.synckit)}x the rate`,
      ],
      [
        '    per call',
        `${fmt(1e6 / echo.ours, 1)} µs`,
        `${fmt(1e6 / echo.synckit, 1)} µs`,
        `${fmt(1e6 / echo.synckit - 1e6 / echo.ours, 1)} µs less`,
      ],
      [
        `(b) 50 ms of async work, median ms; over the 50 ms timer awaited here (${fmt(sleepFloor)} ms)`,
        `${fmt(sleep50.ours)} (+${fmt(sleep50.ours - sleepFloor)})`,
        `${fmt(sleep50.synckit)} (+${fmt(sleep50.synckit - sleepFloor)})`,
        '',
      ],
      [
        `(a') validation.verify() to @keyway/mocks, median ms per call (of ${client.n}); async client here ${fmt(client.floor, 3)} ms`,
        '',
        '',
        '',
      ],
      [
        '     bridge + a client built per call (what @keyway/node does)',
        `${fmt(client.ours, 3)} (+${fmt(client.ours - client.floor, 3)})`,
        `${fmt(client.synckit, 3)} (+${fmt(client.synckit - client.floor, 3)})`,
        `${fmt(client.synckit / client.ours)}x the rate`,
      ],
      [
        '     createKeywaySyncClient (public API) / synckit keeping one client',
        `${fmt(client.public, 3)} (+${fmt(client.public - client.floor, 3)})`,
        `${fmt(client.synckitKept, 3)} (+${fmt(client.synckitKept - client.floor, 3)})`,
        '',
      ],
    ],
  );
  console.log('  (c) behaviours: ms until the caller has control back; what it gets; the next call');
  for (const row of behaviours) {
    console.log(`    ${row.name}`);
    for (const impl of ['ours', 'synckit']) {
      const r = row[impl];
      const same = r.sameClass === undefined ? '' : r.sameClass ? ' (same class)' : ' (not the same class)';
      console.log(`      ${impl.padEnd(8)} ${fmt(r.ms, 1).padStart(7)} ms  ${r.outcome}${same}; next call ${r.next}`);
    }
  }
}
