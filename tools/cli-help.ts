/** Every command answers `--help` (or `-h`) with its usage on stdout and exit 0, before it reads anything else. */
export function helpAsked(argv: readonly string[]): boolean {
    return argv.includes("--help") || argv.includes("-h");
}
