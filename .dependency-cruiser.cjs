/**
 * Layering (DESIGN.md §6). Each rule's comment is printed when it is broken, and names what the layer
 * may import instead.
 */
const layer = (name, allowed, extra = '') => ({
  name: `layer-${name}`,
  comment: `src/${name} may import only: ${allowed.join(', ')}${extra}. Move the code or depend on a port instead.`,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: { path: '^src/', pathNot: [`^src/${name}/`, ...allowed.map((a) => `^src/${a}/`)] },
});

module.exports = {
  forbidden: [
    layer('model', []),
    layer('protocol', ['model']),
    layer('store', []),
    layer('scheduler', ['model']),
    layer('iam', ['model', 'store', 'protocol']),
    layer('controllers', ['model', 'store', 'scheduler']),
    layer('api', ['model', 'protocol', 'store', 'iam', 'scheduler', 'controllers/shared', 'registry'], ' (api/ecr is the ECR API over the registry subsystem)'),
    layer('registry', ['model', 'protocol', 'store', 'iam']),
    layer('dispatcher', ['model', 'protocol', 'store']),
    layer('agent', ['model', 'protocol'], ' (the agent shares only model and protocol with the control plane)'),
    layer('telemetry', ['model', 'protocol', 'store', 'api']),
    layer('lb', ['model', 'protocol', 'store']),
    layer('dns', ['model', 'store']),
    {
      name: 'pure-has-no-io',
      comment: 'src/model and src/scheduler are pure: no node: modules (no clock, fs, net, randomness). Pass what you need in.',
      severity: 'error',
      from: { path: '^src/(model|scheduler)/', pathNot: '\\.test\\.ts$' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'controllers-are-independent',
      comment: 'Controllers never import each other: they meet only in the store. Put shared logic in src/model or src/scheduler.',
      severity: 'error',
      from: { path: '^src/controllers/([^/]+)/' },
      to: { path: '^src/controllers/', pathNot: '^src/controllers/($1|shared)/' },
    },
    {
      name: 'no-circular',
      comment: 'Circular imports make load order fragile: break the cycle with a type-only import or a smaller module.',
      severity: 'error',
      from: {},
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$|/conformance\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
