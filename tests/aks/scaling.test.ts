/**
 * Scheduled scale to zero (dev/stg): two Logic Apps on weekly recurrences in UAE time stop and start the configured
 * pools through the AKS API as an identity that holds only agent-pool rights on the cluster.
 */
import { SCHEDULER_ACTIONS } from "../../components/scaling";
import { one, ofType } from "../support/plan";
import { cfgOf, clusterOf, ROLE_ASSIGNMENT } from "./support";

const WORKFLOW = "azure-native:logic:Workflow";

describe.each(["dev-uaenorth", "stg-uaenorth"])("%s scheduled scaling", (stack) => {
    const cfg = () => cfgOf(stack);
    const identity = () => one(stack, "azure-native:managedidentity:UserAssignedIdentity", "spoke-scaling-identity");
    const role = () => one(stack, "azure-native:authorization:RoleDefinition", "spoke-scaling-role");
    const assignment = () => one(stack, ROLE_ASSIGNMENT, "spoke-scaling-role-assignment");
    const wf = (suffix: "stop" | "start") => one(stack, WORKFLOW, `spoke-scaling-${suffix}`);

    it("has a stop and a start workflow with the configured pools and the cluster id", () => {
        expect(ofType(stack, WORKFLOW)).toHaveLength(2);
        for (const s of ["stop", "start"] as const) {
            expect(wf(s).inputs.parameters).toEqual({
                clusterId: { type: "String", value: clusterOf(stack).id },
                pools: { type: "Array", value: cfg().scaling.pools },
            });
            expect(wf(s).inputs.state).toBe("Enabled");
            expect(wf(s).inputs.identity).toEqual({ type: "UserAssigned", userAssignedIdentities: [identity().id] });
        }
    });

    it("fires on the configured weekly schedules in Arabian Standard Time", () => {
        const trigger = (s: "stop" | "start") => Object.values((wf(s).inputs.definition as any).triggers)[0] as any;
        expect(trigger("stop").recurrence).toEqual({
            frequency: "Week",
            interval: 1,
            timeZone: "Arabian Standard Time",
            schedule: { hours: [20], minutes: [0], weekDays: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"] },
        });
        expect(trigger("start").recurrence.schedule).toEqual({ hours: [7], minutes: [0], weekDays: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"] });
        expect(cfg().scaling).toMatchObject({ scaleDown: "0 20 * * 1-5", scaleUp: "0 7 * * 1-5", timeZone: "Arabian Standard Time" });
    });

    it("stops/starts one pool at a time by PUTting its powerState, as its managed identity", () => {
        for (const [s, state] of [["stop", "Stopped"], ["start", "Running"]] as const) {
            const loop = (wf(s).inputs.definition as any).actions.For_each_pool;
            expect(loop.runtimeConfiguration).toEqual({ concurrency: { repetitions: 1 } });
            const put = loop.actions[`Unless_already_${state}`].actions[`Set_${state}`].inputs;
            expect(put.method).toBe("PUT");
            expect(put.body).toContain(`'powerState', json('{"code":"${state}"}')`);
            expect(put.uri).toContain("/agentPools/', item(), '?api-version=2025-09-01");
            expect(put.authentication).toEqual({ type: "ManagedServiceIdentity", identity: identity().id, audience: "https://management.azure.com/" });
        }
    });

    it("waits for each pool's operation to finish (provisioningState terminal) before the next, and fails the run naming pools that did not succeed", () => {
        for (const [s, state] of [["stop", "Stopped"], ["start", "Running"]] as const) {
            const def = wf(s).inputs.definition as any;
            const loop = def.actions.For_each_pool.actions;
            const settled = (a: string) =>
                `@or(not(equals(actions('${a}')?['status'], 'Succeeded')), contains(createArray('Succeeded', 'Failed', 'Canceled'), body('${a}')?['properties']?['provisioningState']))`;
            // Idle first: an upgrade (or the other workflow) may still be running on the pool.
            expect(loop.Wait_until_idle).toMatchObject({ type: "Until", expression: settled("Get_pool"), limit: { timeout: "PT1H" } });
            expect(loop.Wait_until_idle.actions.Pause_while_busy.actions.Pause_idle).toEqual({ type: "Wait", inputs: { interval: { count: 30, unit: "Second" } } });
            expect(loop[`Unless_already_${state}`].runAfter).toEqual({ Wait_until_idle: ["Succeeded", "Failed", "TimedOut"] });
            // Then the PUT, then poll until the pool has left Stopping/Starting — also when the PUT was refused.
            const branch = loop[`Unless_already_${state}`].actions;
            expect(branch.Wait_until_done).toMatchObject({ type: "Until", expression: settled("Poll_pool"), runAfter: { [`Set_${state}`]: ["Succeeded", "Failed", "TimedOut"] } });
            expect(branch.Wait_until_done.actions.Poll_pool.inputs).toMatchObject({ method: "GET", uri: branch[`Set_${state}`].inputs.uri });
            const record = { type: "AppendToArrayVariable", inputs: { name: "failedPools", value: "@item()" } };
            expect(branch.Record_unless_Succeeded.actions.Record_failure).toEqual(record);
            expect(loop[`Unless_already_${state}`].else.actions.Record_if_unreadable.actions.Record_unreadable).toEqual(record);
            expect(def.actions.Fail_if_a_pool_failed).toMatchObject({ runAfter: { For_each_pool: ["Succeeded", "Failed"] }, actions: { Fail_run: { type: "Terminate", inputs: { runStatus: "Failed" } } } });
        }
    });

    it("names every action once per workflow, loops and branches included (Logic Apps rejects a repeated name)", () => {
        const names = (actions: Record<string, any> = {}): string[] =>
            Object.entries(actions).flatMap(([name, a]) => [name, ...names(a.actions), ...names(a.else?.actions)]);
        for (const s of ["stop", "start"] as const) {
            const all = names((wf(s).inputs.definition as any).actions);
            expect(all.filter((n, i) => all.indexOf(n) !== i)).toEqual([]);
        }
    });

    it("the identity holds a custom role with agent-pool read/write only, on this cluster only", () => {
        expect(role().inputs.permissions).toEqual([{ actions: [...SCHEDULER_ACTIONS] }]);
        expect(role().inputs.assignableScopes).toEqual([one(stack, "azure-native:resources:ResourceGroup").id]);
        expect(assignment().inputs).toMatchObject({
            principalId: identity().outputs.principalId,
            principalType: "ServicePrincipal",
            roleDefinitionId: role().id,
            scope: clusterOf(stack).id,
        });
    });

    it("workflows are created after the role assignment and log their runs to Log Analytics", () => {
        for (const s of ["stop", "start"] as const) {
            expect(wf(s).dependencies).toContain(assignment().urn);
            const diag = one(stack, "azure-native:monitor:DiagnosticSetting", `spoke-scaling-${s}-diag`);
            expect(diag.inputs.resourceUri).toBe(wf(s).id);
            expect((diag.inputs.logs as any[]).map((l) => l.category)).toEqual(["WorkflowRuntime"]);
        }
    });
});

it("prd has no scheduled scaling", () => {
    expect(ofType("prd-uaenorth", WORKFLOW)).toEqual([]);
    expect(ofType("prd-uaenorth", "aiplatform:scaling:PoolSchedule")).toEqual([]);
});
