import { validateSpokeConfig } from "../../config";
import { hubProblems, rawSpoke, spokeProblems as problems } from "../support/config";


describe("spoke config", () => {
    test.each(["dev-uaenorth", "stg-uaenorth", "prd-uaenorth"])("the committed %s config is valid", (stack) => {
        expect(problems(stack, () => {})).toEqual([]);
    });

    test("defaults are applied in one place", () => {
        const cfg = validateSpokeConfig("dev-uaenorth", "Pulumi.dev-uaenorth.yaml", rawSpoke());
        expect(cfg.aks.encryptionAtHost).toBe(true);
        expect(cfg.aks.autoscaler.expander).toBe("least-waste");
        expect(cfg.nodePools.find((p) => p.name === "cpu")!.maxPods).toBe(50);
    });

    const cases: [string, string, (r: Record<string, any>) => void, RegExp][] = [
        ["environment must match the stack name", "dev-uaenorth", (r) => (r.environment = "stg"), /^Pulumi\.dev-uaenorth\.yaml: aiplatform:environment = "stg": must match the stack name 'dev-uaenorth' \(expected dev\)$/],
        ["environment outside dev|stg|prd", "dev-uaenorth", (r) => (r.environment = "qa"), /aiplatform:environment = "qa": Invalid option: expected one of "dev"\|"stg"\|"prd"/],
        ["location must match the stack name", "dev-uaenorth", (r) => (r.location = "westeurope"), /aiplatform:location = "westeurope": must match the stack name 'dev-uaenorth' \(expected uaenorth\)/],
        ["unknown location", "dev-uaenorth", (r) => (r.location = "mars"), /aiplatform:location = "mars": Invalid option/],
        ["pool minCount > maxCount", "dev-uaenorth", (r) => (r.nodePools[0].minCount = 9), /aiplatform:nodePools\[0\]\.minCount = 9: must be ≤ maxCount \(4\)/],
        ["system pool minCount > maxCount", "dev-uaenorth", (r) => (r.aks.systemPool.minCount = 5), /aiplatform:aks\.systemPool\.minCount = 5: must be ≤ aiplatform:aks\.systemPool\.maxCount \(3\)/],
        ["spot pool in prd", "prd-uaenorth", (r) => (r.nodePools[0].spot = true), /aiplatform:nodePools\[0\]\.spot = true: spot pools are not allowed in prd/],
        ["MIG on a non-MIG size", "dev-uaenorth", (r) => (r.nodePools[2].gpu.migProfile = "MIG3g"), /aiplatform:nodePools\[2\]\.gpu\.migProfile = "MIG3g": MIG needs a MIG-capable NVIDIA size .*Standard_NC4as_T4_v3 is not/],
        ["MIG profile outside the AKS enum", "stg-uaenorth", (r) => (r.nodePools[2].gpu.migProfile = "MIG5g"), /aiplatform:nodePools\[2\]\.gpu\.migProfile = "MIG5g": Invalid option/],
        ["AMD partitioning on an NVIDIA size", "stg-uaenorth", (r) => (r.nodePools[2].gpu.amdPartition = { compute: "CPX" }), /aiplatform:nodePools\[2\]\.gpu\.amdPartition = \{"compute":"CPX"\}: AMD partitioning applies to AMD Instinct sizes only/],
        ["GPU vendor differs from the size", "prd-uaenorth", (r) => (r.nodePools[2].gpu = { vendor: "nvidia" }), /aiplatform:nodePools\[2\]\.gpu\.vendor = "nvidia": Standard_ND96isr_MI300X_v5 has amd GPUs, not nvidia/],
        ["AMD size without the enablement switch", "prd-uaenorth", (r) => (r.features.amdGpu = false), /aiplatform:nodePools\[2\]\.vmSize = "Standard_ND96isr_MI300X_v5": AMD GPU sizes need subscription enablement/],
        ["GPU size without a gpu block", "dev-uaenorth", (r) => delete r.nodePools[2].gpu, /aiplatform:nodePools\[2\]\.gpu = \(not set\): Standard_NC4as_T4_v3 has nvidia GPUs: set gpu\.vendor: nvidia/],
        ["zone the size does not offer", "prd-uaenorth", (r) => (r.nodePools[2].zones = ["1", "3"]), /aiplatform:nodePools\[2\]\.zones = \["1","3"\]: Standard_ND96isr_MI300X_v5 is offered in zones \[1\] of uaenorth, not \[3\]/],
        ["prd system pool in one zone", "prd-uaenorth", (r) => (r.aks.systemPool.zones = ["1"]), /aiplatform:aks\.systemPool\.zones = \["1"\]: prd needs the system pool in at least 2 availability zones/],
        ["Free tier outside dev", "stg-uaenorth", (r) => (r.aks.tier = "Free"), /aiplatform:aks\.tier = "Free": must be Standard or Premium in stg/],
        ["unknown VM size", "dev-uaenorth", (r) => (r.nodePools[0].vmSize = "Standard_Z1"), /aiplatform:nodePools\[0\]\.vmSize = "Standard_Z1": Invalid option/],
        ["duplicate pool name", "dev-uaenorth", (r) => (r.nodePools[1].name = "cpu"), /aiplatform:nodePools\[1\]\.name = "cpu": must be unique and not 'system'/],
        ["pool name too long for AKS", "dev-uaenorth", (r) => (r.nodePools[0].name = "averyveryverylongname"), /aiplatform:nodePools\[0\]\.name = "averyveryverylongname": must be 1-12 lowercase/],
        ["name prefix charset", "dev-uaenorth", (r) => (r.namePrefix = "AI-P"), /aiplatform:namePrefix = "AI-P": must be 2-6 lowercase letters\/digits/],
        ["unknown key (typo)", "dev-uaenorth", (r) => (r.aks.tierr = "Free"), /aiplatform:aks\.tierr = "Free": unknown key; did you mean 'tier'\?/],
        ["missing required key", "dev-uaenorth", (r) => delete r.hubStack, /aiplatform:hubStack = \(not set\): is required/],
        ["notebooks app registration not a GUID", "dev-uaenorth", (r) => (r.notebooks.oauthClientId = "jupyterhub"), /aiplatform:notebooks\.oauthClientId = "jupyterhub": must be an Entra object id \(GUID\)/],
        ["notebooks without team namespaces", "prd-uaenorth", (r) => (r.rbac.developerNamespaces = []), /aiplatform:notebooks = \{.*: needs aiplatform:rbac\.developerNamespaces: JupyterHub starts notebook servers in the team namespaces/],
        ["notebooks with more teams than federated credentials", "stg-uaenorth", (r) => (r.rbac.developerNamespaces = Array.from({ length: 21 }, (_, i) => `team-${i}`)), /aiplatform:rbac\.developerNamespaces = .*: lists 21 namespaces; with notebooks on, at most 20/],
        ["scaling names an unknown pool", "dev-uaenorth", (r) => (r.scaling.pools = ["cpu", "gpu9"]), /aiplatform:scaling\.pools\[1\] = "gpu9": names no pool in aiplatform:nodePools/],
        ["flux with two refs", "dev-uaenorth", (r) => (r.flux.tag = "v1.0.0"), /aiplatform:flux = .*: set exactly one of branch, tag or semver/],
        ["prd following a moving branch", "prd-uaenorth", (r) => delete r.flux.commit, /aiplatform:flux\.branch = "main": prd follows an exact revision: set aiplatform:flux\.branch and aiplatform:flux\.commit/],
        ["prd following a semver range", "prd-uaenorth", (r) => { delete r.flux.branch; delete r.flux.commit; r.flux.semver = ">=1.0.0 <2.0.0"; }, /aiplatform:flux\.semver = ">=1\.0\.0 <2\.0\.0": prd follows an exact revision/],
        ["prd following a tag", "prd-uaenorth", (r) => { delete r.flux.branch; delete r.flux.commit; r.flux.tag = "v1.4.0"; }, /aiplatform:flux\.tag = "v1\.4\.0": prd follows an exact revision/],
        ["flux commit without a branch", "dev-uaenorth", (r) => { delete r.flux.branch; r.flux.tag = "v1.0.0"; r.flux.commit = "0".repeat(40); }, /aiplatform:flux\.commit = "0{40}": needs branch/],
        ["flux commit not a full SHA", "prd-uaenorth", (r) => (r.flux.commit = "9692661"), /aiplatform:flux\.commit = "9692661": must be a full 40-hex commit SHA/],
        ["geo-replica in the primary region", "prd-uaenorth", (r) => (r.registry.geoReplicaLocation = "uaenorth"), /aiplatform:registry\.geoReplicaLocation = "uaenorth": must differ from the primary location uaenorth/],
        ["prd data lake without zone redundancy", "prd-uaenorth", (r) => (r.dataLake.replication = "LRS"), /aiplatform:dataLake\.replication = "LRS": prd needs zone redundancy/],
        ["rotation is a date", "dev-uaenorth", (r) => (r.keyVault.rotation = "2"), /aiplatform:keyVault\.rotation = "2": must be a date YYYY-MM-DD/],
        ["subnet outside the VNet", "dev-uaenorth", (r) => (r.network.subnets.system = "10.11.0.0/24"), /aiplatform:network\.subnets\.system = "10\.11\.0\.0\/24": is not inside aiplatform:network\.addressSpace \(10\.10\.0\.0\/16\)/],
        ["overlapping subnets", "dev-uaenorth", (r) => (r.network.subnets.gpu = "10.10.4.0/23"), /aiplatform:network\.subnets\.gpu = "10\.10\.4\.0\/23": overlaps aiplatform:network\.subnets\.user/],
        ["API server subnet smaller than /28", "dev-uaenorth", (r) => (r.network.subnets.apiServer = "10.10.1.0/29"), /aiplatform:network\.subnets\.apiServer = "10\.10\.1\.0\/29": is \/29; AKS API server VNet integration needs at least \/28/],
        ["pod CIDR overlapping the VNet", "dev-uaenorth", (r) => (r.network.podCidr = "10.10.128.0/17"), /aiplatform:network\.podCidr = "10\.10\.128\.0\/17": overlaps the spoke VNet/],
        ["VNet overlapping another stack's", "dev-uaenorth", (r) => (r.network.addressSpace = "10.20.0.0/16"), /aiplatform:network\.addressSpace = "10\.20\.0\.0\/16": overlaps aiplatform:network\.addressSpace of Pulumi\.stg-uaenorth\.yaml/],
        ["pool subnet too small for maxCount + surge", "dev-uaenorth", (r) => (r.nodePools[0].maxCount = 1000), /aiplatform:network\.subnets\.user = "10\.10\.4\.0\/22": \(10\.10\.4\.0\/22\) has 1019 usable addresses but pools cpu, spot need 1339 at maxCount plus upgrade surge/],
        ["CIDR with host bits", "dev-uaenorth", (r) => (r.network.subnets.system = "10.10.0.1/24"), /aiplatform:network\.subnets\.system = "10\.10\.0\.1\/24": '10\.10\.0\.1\/24' has host bits set/],
        ["gateway team key into a tenant namespace", "dev-uaenorth", (r) => (r.gateway.teams[0].namespaces = ["team-nlp"]), /aiplatform:gateway\.teams\[0\]\.namespaces\[0\] = "team-nlp": is a tenant namespace \(aiplatform:rbac\.developerNamespaces\), which ESO does not serve/],
        ["gateway team name twice", "stg-uaenorth", (r) => (r.gateway.teams[1].name = "rag"), /aiplatform:gateway\.teams\[1\]\.name = "rag": must be unique among aiplatform:gateway\.teams/],
        ["two gateway teams in one namespace", "prd-uaenorth", (r) => (r.gateway.teams[1].namespaces = ["rag"]), /aiplatform:gateway\.teams\[1\]\.namespaces\[0\] = "rag": already receives team rag's key; one team per namespace/],
        ["gateway budget period outside the list", "dev-uaenorth", (r) => (r.gateway.teams[0].budget.period = "1h"), /aiplatform:gateway\.teams\[0\]\.budget\.period = "1h": Invalid option/],
        ["DNS service IP outside the service CIDR", "dev-uaenorth", (r) => (r.network.dnsServiceIp = "172.17.0.10"), /aiplatform:network\.dnsServiceIp = "172\.17\.0\.10": is not inside aiplatform:network\.serviceCidr/],
    ];

    test.each(cases)("%s", (_title, stack, mutate, expected) => {
        const messages = problems(stack, mutate);
        expect(messages).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
    });

    test("reports every problem at once", () => {
        const messages = problems("dev-uaenorth", (r) => {
            r.nodePools[0].minCount = 9;
            r.aks.systemPool.minCount = 5;
            r.network.subnets.apiServer = "10.10.1.0/29";
        });
        expect(messages).toHaveLength(3);
    });

    test("schema and cross-field problems come in one pass: a malformed key does not hide a rule broken elsewhere", () => {
        const messages = problems("dev-uaenorth", (r) => {
            r.namePrefix = "AI-P";
            r.nodePools[0].minCount = 9;
        });
        expect(messages).toEqual([
            expect.stringMatching(/aiplatform:namePrefix = "AI-P": must be 2-6 lowercase/),
            expect.stringMatching(/aiplatform:nodePools\[0\]\.minCount = 9: must be ≤ maxCount \(4\)/),
        ]);
    });

    test("a rule that needs a rejected section adds nothing under it (no second message for one bad key)", () => {
        const messages = problems("dev-uaenorth", (r) => (r.nodePools[0].vmSize = "Standard_Z1"));
        expect(messages).toHaveLength(1);
        expect(messages[0]).toMatch(/aiplatform:nodePools\[0\]\.vmSize = "Standard_Z1": Invalid option/);
    });

    test("names derived from the prefix stay within Azure limits for every prefix the schema admits", () => {
        const cfg = validateSpokeConfig("prd-uaenorth", "Pulumi.prd-uaenorth.yaml", { ...rawSpoke("prd-uaenorth"), namePrefix: "abcdef" });
        expect(cfg.namePrefix).toBe("abcdef");
    });
});

describe("hub config", () => {
    test("the committed hub config is valid", () => expect(hubProblems(() => {})).toEqual([]));
    test("firewall subnet smaller than /26", () => {
        expect(hubProblems((r) => (r.network.subnets.firewall = "10.0.0.0/27"))).toEqual([
            expect.stringMatching(/^hub\/Pulumi\.hub-uaenorth\.yaml: aiplatform:network\.subnets\.firewall = "10\.0\.0\.0\/27": is \/27; AzureFirewallSubnet needs at least \/26$/),
        ]);
    });
    test("hub environment is prd", () => {
        expect(hubProblems((r) => (r.environment = "dev"))[0]).toMatch(/aiplatform:environment = "dev": Invalid input: expected "prd"/);
    });
    test("spokes must have stack files", () => {
        expect(hubProblems((r) => (r.spokes["stg-westeurope"] = "10.50.0.0/16"))[0]).toMatch(/aiplatform:spokes\.stg-westeurope = "10\.50\.0\.0\/16": has no stack file Pulumi.stg-westeurope.yaml/);
    });
    test("hub VNet overlapping a spoke", () => {
        expect(hubProblems((r) => (r.network.addressSpace = "10.0.0.0/8")).join("\n")).toMatch(/overlaps aiplatform:network\.addressSpace of Pulumi\.dev-uaenorth\.yaml/);
    });
});

describe("mistakes get one message that names the key, with nothing derived from a missing value", () => {
    test("a missing environment is one 'is required' message, not names or tiers built from 'undefined'", () => {
        expect(problems("stg-uaenorth", (r) => delete r.environment)).toEqual([
            'Pulumi.stg-uaenorth.yaml: aiplatform:environment = (not set): is required (one of dev, stg, prd)',
        ]);
    });

    test("a misspelt top-level key names the key it most likely means, without follow-on problems from its absence", () => {
        expect(
            problems("dev-uaenorth", (r) => {
                r.nodepools = r.nodePools;
                delete r.nodePools;
            }),
        ).toEqual([expect.stringMatching(/^Pulumi\.dev-uaenorth\.yaml: aiplatform:nodepools = .*: unknown key; did you mean 'nodePools'\?$/)]);
    });

    test("an impossible date is refused, not rolled over into the next month", () => {
        expect(problems("dev-uaenorth", (r) => (r.keyVault.rotation = "2026-02-30"))).toEqual([
            'Pulumi.dev-uaenorth.yaml: aiplatform:keyVault.rotation = "2026-02-30": is not a date in the calendar',
        ]);
    });

    test("hubStack must name a hub stack of this repository (not a 3 KB serialisation error at plan time)", () => {
        expect(problems("dev-uaenorth", (r) => (r.hubStack = "organization/aiplatform-hub/hub-westeurope"))).toEqual([
            'Pulumi.dev-uaenorth.yaml: aiplatform:hubStack = "organization/aiplatform-hub/hub-westeurope": names no hub stack of this repository (hub stacks: <organization>/aiplatform-hub/hub-swedencentral, <organization>/aiplatform-hub/hub-uaenorth)',
        ]);
    });

    test("the hub must list every spoke whose hubStack names it (a spoke left out gets no egress IP group)", () => {
        expect(hubProblems((r) => delete r.spokes["prd-uaenorth"])).toEqual([
            'hub/Pulumi.hub-uaenorth.yaml: aiplatform:spokes = {"dev-uaenorth":"10.10.0.0/16","stg-uaenorth":"10.20.0.0/16"}: leaves out prd-uaenorth, whose aiplatform:hubStack names this hub; allocate every spoke the hub serves its address block',
        ]);
    });

    test("the hub's allocations may not overlap each other or the hub", () => {
        expect(hubProblems((r) => (r.spokes["stg-uaenorth"] = "10.10.128.0/17"))).toEqual([
            'hub/Pulumi.hub-uaenorth.yaml: aiplatform:spokes.dev-uaenorth = "10.10.0.0/16": overlaps aiplatform:spokes.stg-uaenorth (10.10.128.0/17)',
        ]);
    });

    test("a spoke's address space must be the block its hub allocates to it", () => {
        expect(problems("stg-uaenorth", (r) => (r.network.addressSpace = "10.21.0.0/16"))).toContain(
            'Pulumi.stg-uaenorth.yaml: aiplatform:network.addressSpace = "10.21.0.0/16": must be 10.20.0.0/16, the block hub/Pulumi.hub-uaenorth.yaml allocates to stg-uaenorth (aiplatform:spokes)',
        );
    });
});
