import * as fs from "fs";

/**
 * Writes `file` so that a reader never sees it half-written and a symlink at `file` is replaced, not followed:
 * the content goes to a temporary file in the same folder, which is then renamed over it.
 */
export function writeFileAtomic(file: string, data: string | NodeJS.ArrayBufferView): void {
    const tmp = `${file}.${process.pid}.tmp`;
    try {
        fs.writeFileSync(tmp, data, { flag: "wx" });
        fs.renameSync(tmp, file);
    } catch (e) {
        fs.rmSync(tmp, { force: true });
        throw e;
    }
}
