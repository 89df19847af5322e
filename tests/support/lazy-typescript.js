/**
 * jest only (jest.config.js maps "typescript" here): the TypeScript compiler, loaded on first use.
 *
 * @pulumi/pulumi requires it when it loads (for serializing closures, which no test does); jest gives every test
 * file its own module registry and compiles modules without a code cache, so each file paid ~140 ms for the 9 MB
 * compiler it never calls. Any use (a property read, `in`, key listing) loads the real module and forwards to it.
 */
"use strict";
let real;
const load = () => (real ??= require(require.resolve("typescript/lib/typescript.js")));
module.exports = new Proxy(
    {},
    {
        get: (_t, k) => load()[k],
        has: (_t, k) => k in load(),
        ownKeys: () => Reflect.ownKeys(load()),
        getOwnPropertyDescriptor: (_t, k) => {
            const d = Object.getOwnPropertyDescriptor(load(), k);
            return d && { ...d, configurable: true };
        },
        set: (_t, k, v) => ((load()[k] = v), true),
        getPrototypeOf: () => Object.getPrototypeOf(load()),
    },
);
