/**
 * `npm run kubeconfig`: arguments, names from the stack files, and what happens without az/kubelogin — through an
 * injected command runner (nothing is executed).
 */
import * as path from "path";
import { type Deps, EXIT, main, type RunResult } from "../../tools/kubeconfig";

const ROOT = path.resolve(__dirname, "../..");

interface Call {
    cmd: string;
    args: string[];
    quiet: boolean;
}

function harness(answer: (cmd: string, args: string[], quiet: boolean) => RunResult = () => ({ status: 0 })) {
    const calls: Call[] = [];
    const out: string[] = [];
    const err: string[] = [];
    const deps: Deps = {
        root: ROOT,
        run: (cmd, args, quiet) => {
            calls.push({ cmd, args, quiet });
            return answer(cmd, args, quiet);
        },
        log: (l) => out.push(l),
        error: (l) => err.push(l),
    };
    return { deps, calls, out, err };
}

const enoent = (cmd: string): RunResult => ({ status: null, error: Object.assign(new Error(`spawn ${cmd} ENOENT`), { code: "ENOENT" }) });

describe("kubeconfig arguments", () => {
    it("requires --stack", () => {
        const h = harness();
        expect(main([], h.deps)).toBe(EXIT.usage);
        expect(h.err[0]).toBe("kubeconfig: --stack <name> is required");
        expect(h.calls).toEqual([]);
    });

    it("rejects an unknown stack and lists the spoke stacks", () => {
        const h = harness();
        expect(main(["--stack", "qa-uaenorth"], h.deps)).toBe(EXIT.usage);
        expect(h.err[0]).toBe("kubeconfig: unknown stack 'qa-uaenorth'; clusters exist in: dev-uaenorth, stg-swedencentral, stg-uaenorth, prd-swedencentral, prd-uaenorth");
    });

    it("rejects the hub, which has no cluster", () => {
        const h = harness();
        expect(main(["--stack", "hub-uaenorth"], h.deps)).toBe(EXIT.usage);
        expect(h.err[0]).toMatch(/^kubeconfig: hub-uaenorth is the hub and has no cluster/);
    });

    it("rejects unknown flags and a malformed subscription id", () => {
        let h = harness();
        expect(main(["--stack", "dev-uaenorth", "--admin"], h.deps)).toBe(EXIT.usage);
        expect(h.err[0]).toMatch(/--admin/);
        h = harness();
        expect(main(["--stack", "dev-uaenorth", "--subscription", "prod"], h.deps)).toBe(EXIT.usage);
        expect(h.err[0]).toBe("kubeconfig: --subscription 'prod' is not a subscription id (GUID)");
    });

    it("--dry-run prints the commands with the program's names and runs nothing", () => {
        const h = harness();
        expect(main(["--stack", "prd-uaenorth", "--dry-run", "--file", "/tmp/prd.kubeconfig"], h.deps)).toBe(EXIT.ok);
        expect(h.calls).toEqual([]);
        expect(h.out).toEqual([
            "az aks get-credentials --resource-group rg-aip-prd-uaen --name aks-aip-prd-uaen --overwrite-existing --file /tmp/prd.kubeconfig",
            "kubelogin convert-kubeconfig --login azurecli --kubeconfig /tmp/prd.kubeconfig",
        ]);
    });
});

describe("kubeconfig with tools", () => {
    it("runs get-credentials then kubelogin azurecli, with the subscription when given", () => {
        const h = harness();
        const sub = "7d2f4e1a-5b3c-4d6e-8f90-a1b2c3d4e5f6";
        expect(main(["--stack", "dev-uaenorth", "--subscription", sub], h.deps)).toBe(EXIT.ok);
        const real = h.calls.filter((c) => !c.quiet);
        expect(real).toEqual([
            { cmd: "az", args: ["aks", "get-credentials", "--resource-group", "rg-aip-dev-uaen", "--name", "aks-aip-dev-uaen", "--overwrite-existing", "--subscription", sub], quiet: false },
            { cmd: "kubelogin", args: ["convert-kubeconfig", "--login", "azurecli"], quiet: false },
        ]);
        expect(h.out[0]).toMatch(/context 'aks-aip-dev-uaen' written/);
        expect(h.out[1]).toMatch(/private.*az aks command invoke/);
    });

    it("does not suggest run command in prd (it is disabled there)", () => {
        const h = harness();
        expect(main(["--stack", "prd-uaenorth"], h.deps)).toBe(EXIT.ok);
        expect(h.out.join("\n")).not.toMatch(/command invoke/);
    });

    it("without az: one clear line, exit 3, nothing written", () => {
        const h = harness((cmd) => (cmd === "az" ? enoent(cmd) : { status: 0 }));
        expect(main(["--stack", "dev-uaenorth"], h.deps)).toBe(EXIT.missingTool);
        expect(h.err).toEqual(["kubeconfig: Azure CLI (az) is not installed or not on PATH: install it (https://aka.ms/install-azure-cli), then run `az login`"]);
        expect(h.calls.every((c) => c.quiet)).toBe(true);
    });

    it("without az and kubelogin: both reported at once", () => {
        const h = harness((cmd) => enoent(cmd));
        expect(main(["--stack", "stg-uaenorth"], h.deps)).toBe(EXIT.missingTool);
        expect(h.err).toHaveLength(2);
        expect(h.err[1]).toMatch(/^kubeconfig: kubelogin is not installed.*az aks install-cli/);
        expect(h.calls.filter((c) => !c.quiet)).toEqual([]);
    });

    it("a failing az command stops before kubelogin, exit 4 with a login hint", () => {
        const h = harness((cmd, args, quiet) => (cmd === "az" && !quiet ? { status: 1 } : { status: 0 }));
        expect(main(["--stack", "dev-uaenorth"], h.deps)).toBe(EXIT.commandFailed);
        expect(h.err[0]).toMatch(/^kubeconfig: `az aks get-credentials .*` failed \(exit 1\) — are you logged in \(`az login`\)/);
        expect(h.calls.some((c) => c.cmd === "kubelogin" && !c.quiet)).toBe(false);
    });
});
