/**
 * @pulumi/pulumi requires the TypeScript compiler (9 MB of JavaScript) the moment it loads, for serializing closures
 * into function resources, which the offline plan never does: ~0.2 s of every plan. Once installed, the SDK's
 * `require("typescript")` gets a proxy that loads the real compiler on first use (any property read, `in`, key
 * listing) and forwards to it, so a program that does serialize a closure still works.
 * (jest gets the same through moduleNameMapper: tests/support/lazy-typescript.js; tests/plan/lazy-typescript.test.ts.)
 */
import Module = require("module");
import * as path from "path";

const SHIM = path.join("@pulumi", "pulumi", "typescript-shim.js");
let installed = false;

export function deferTypescriptForPulumi(): void {
    if (installed) return;
    installed = true;
    const loader = Module as unknown as { _load(request: string, parent: unknown, isMain: boolean): unknown };
    const load = loader._load;
    let real: Record<PropertyKey, unknown> | undefined;
    let proxy: object | undefined;
    loader._load = function (this: unknown, request: string, parent: { filename?: string } | undefined, isMain: boolean) {
        if (request !== "typescript" || !parent?.filename?.endsWith(SHIM)) return load.call(this, request, parent, isMain);
        const actual = () => (real ??= load.call(this, request, parent, isMain) as Record<PropertyKey, unknown>);
        return (proxy ??= new Proxy(
            {},
            {
                get: (_t, k) => actual()[k],
                has: (_t, k) => k in actual(),
                ownKeys: () => Reflect.ownKeys(actual()),
                getOwnPropertyDescriptor: (_t, k) => {
                    // tsx asks every CommonJS module it loads for this key (its require(esm) interop); the compiler
                    // has no such property, and answering must not load it.
                    if (!real && k === "module.exports") return undefined;
                    const d = Object.getOwnPropertyDescriptor(actual(), k);
                    return d && { ...d, configurable: true };
                },
                set: (_t, k, v) => ((actual()[k] = v), true),
                getPrototypeOf: () => Object.getPrototypeOf(actual()),
            },
        ));
    };
}
