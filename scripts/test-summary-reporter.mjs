// A node:test reporter for scripts/run-tests.mjs: writes one JSON line per finished test so the runner
// can count passes and failures across files and name the ones that timed out. Suites count only when
// they fail on their own (a hook that threw or timed out), not when they merely contain a failed test.
// The human-readable output comes from node's own `spec` reporter running beside this one.
export default async function* summary(source) {
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { name, file, line, details } = event.data;
    const error = details?.error;
    if (details?.type === 'suite' && (event.type === 'test:pass' || error?.failureType === 'subtestsFailed')) continue;
    yield `${JSON.stringify({
      name, file, line,
      outcome: event.type === 'test:pass' ? (event.data.skip ? 'skipped' : event.data.todo ? 'todo' : 'passed') : 'failed',
      failureType: error?.failureType,
      message: error ? String(error.cause?.message ?? error.message ?? error).split('\n')[0] : undefined,
      ms: details?.duration_ms,
    })}\n`;
  }
}
