// Preloaded (node --require) into every process `npm run bench` times: on exit, writes this process's CPU time and
// peak resident set size to $AIPLATFORM_BENCH_USAGE. Node reports no rusage of children, so the child reports its own.
"use strict";
const fs = require("fs");
const file = process.env.AIPLATFORM_BENCH_USAGE;
if (file) {
    process.on("exit", () => {
        const u = process.resourceUsage();
        fs.writeFileSync(file, JSON.stringify({ cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, maxRssKb: u.maxRSS }));
    });
}
