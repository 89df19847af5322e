/**
 * Starts the suites that run whole programs first. On a clean clone (CI) jest has no timings yet and orders suites by
 * file size, which left the in-process plan of every stack (no-plaintext, ~50 s) for last: the run then waited on
 * one worker for most of a minute. With timings cached jest already does this; the list makes it the same on CI.
 */
const Sequencer = require("@jest/test-sequencer").default;

const SLOW_FIRST = ["tests/data/no-plaintext.test.ts", "tests/plan/cli.test.ts", "tests/cli/help.test.ts", "tests/plan/deploy-for-real.test.ts"];

class SlowFirst extends Sequencer {
    async sort(tests) {
        const sorted = await super.sort(tests);
        const rank = (t) => {
            const i = SLOW_FIRST.findIndex((p) => t.path.split("\\").join("/").endsWith(p));
            return i < 0 ? SLOW_FIRST.length : i;
        };
        return [...sorted].sort((a, b) => rank(a) - rank(b));
    }
}

module.exports = SlowFirst;
