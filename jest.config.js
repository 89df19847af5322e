/** @type {import('jest').Config} */
module.exports = {
    testEnvironment: "node",
    roots: ["<rootDir>/tests", "<rootDir>/apps/rag/tests", "<rootDir>/components", "<rootDir>/policies", "<rootDir>/automation", "<rootDir>/tools"],
    testMatch: ["**/*.test.ts"],
    transform: { "^.+\\.(t|j|mj)s$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } }] },
    // ESM-only schema packages are transformed to CommonJS for jest; everything else in node_modules is left alone.
    transformIgnorePatterns: ["/node_modules/(?!(kubernetes-models|@kubernetes-models|is-cidr|cidr-regex|ip-regex|ip-bigint)/)"],
    resolver: "<rootDir>/tests/jest-resolver.js",
    moduleNameMapper: { "^typescript$": "<rootDir>/tests/support/lazy-typescript.js" },
    setupFiles: ["<rootDir>/tests/support/plan-now.ts"],
    globalSetup: "<rootDir>/tests/global-setup.ts",
    globalTeardown: "<rootDir>/tests/global-teardown.ts",
    testSequencer: "<rootDir>/tests/support/sequencer.js",
    testTimeout: 60000,
    // Every core (jest's default leaves one for itself, which on a 2-core CI machine means running in band).
    maxWorkers: "100%",
};
