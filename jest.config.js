/**
 * Two tiers: unit specs next to the code (src/**\/*.spec.ts) and e2e specs (test/**\/*.e2e-spec.ts)
 * that boot the real AppModule on a real PostgreSQL: the embedded one by default, or the server
 * named by TEST_DATABASE_URL. Each e2e file gets its own database, cloned from a migrated template.
 */
const tsJest = [
  'ts-jest',
  {
    tsconfig: 'tsconfig.json',
    // The Swagger plugin, as in `nest build`, so /docs-json in tests has the full schemas.
    astTransformers: { before: ['<rootDir>/test/support/swagger-plugin.transformer.js'] },
  },
];

// jose (under jwks-rsa) ships only ES modules: Node 20 require()s it, jest's CommonJS runtime cannot.
const esmOnlyPackages = ['jose'];
const esmTransform = ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022' }, isolatedModules: true }];
const transform = {
  '^.+\\.ts$': tsJest,
  [`node_modules/(${esmOnlyPackages.join('|')})/.+\\.js$`]: esmTransform,
};
const transformIgnorePatterns = [`/node_modules/(?!(${esmOnlyPackages.join('|')})/)`];

module.exports = {
  testTimeout: 60000,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  projects: [
    {
      displayName: 'unit',
      rootDir: '.',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
      transform,
      transformIgnorePatterns,
    },
    {
      displayName: 'e2e',
      rootDir: '.',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      // A request to a provider stand-in that breaks the provider's contract fails the test that sent it.
      setupFilesAfterEnv: ['<rootDir>/test/support/provider-contract-guard.ts'],
      transform,
      transformIgnorePatterns,
    },
  ],
};
