/**
 * Out-of-hours scale to zero for dev/stg: two Logic Apps (Consumption) on weekly recurrences in the UAE time zone
 * stop the listed user/GPU pools in the evening and start them in the morning through the AKS API
 * (`powerState` Stopped/Running, what `az aks nodepool stop|start` does), authenticated as a user-assigned
 * identity that holds a custom role with only agent-pool read/write on the cluster.
 *
 * Why this and not the alternatives:
 * - KEDA cron on workloads + cluster autoscaler only frees nodes that every workload agrees to leave, never goes
 *   below a pool's minCount, and depends on each team adding scalers. Stopping the pool is a guaranteed zero.
 * - Azure Automation needs runbook content uploaded from a URL, modules, and schedules whose start time must be in
 *   the future at every deployment; a Logic App is one declarative resource whose whole definition is in the plan.
 * - A stopped pool keeps its configuration and its autoscaler settings (AKS pauses the autoscaler while stopped),
 *   so Pulumi's AgentPool definition never sees drift: `powerState` is not one of its inputs.
 */
import * as authorization from "@pulumi/azure-native/authorization";
import * as logic from "@pulumi/azure-native/logic";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as pulumi from "@pulumi/pulumi";
import { diagnosticSettings } from "../core/diagnostics";
import type { Namer } from "../core/naming";
import { grant, stableGuid, subscriptionIdOf } from "../rbac/roles";
import { cronToRecurrence, type Recurrence } from "../../config/recurrence";

/** AKS REST API version the workflows call (the one @pulumi/azure-native 3.28 uses for AgentPool). */
export const AKS_API_VERSION = "2025-09-01";

/** The only actions the scheduler's identity holds, on the one cluster it manages. */
export const SCHEDULER_ACTIONS = [
    "Microsoft.ContainerService/managedClusters/read",
    "Microsoft.ContainerService/managedClusters/agentPools/read",
    "Microsoft.ContainerService/managedClusters/agentPools/write",
] as const;

export type PowerState = "Stopped" | "Running";

export interface PoolScheduleArgs {
    /** The stack's namer: workflows `logic-<prefix>-<env>-<region>-pools-stop|start`, identity `id-...-pool-scheduler`. */
    names: Namer;
    location: string;
    resourceGroupName: pulumi.Input<string>;
    /** The resource group's id: scope of the custom role definition (custom roles cannot be scoped to a resource). */
    resourceGroupId: pulumi.Input<string>;
    /** ARM id of the cluster whose pools are stopped and started (role assignment scope). */
    clusterId: pulumi.Input<string>;
    /** User pool names to stop out of hours (`aiplatform:scaling.pools`); the system pool cannot be stopped. */
    pools: string[];
    /** 5-field cron of the evening stop (`aiplatform:scaling.scaleDown`), in `timeZone`. */
    scaleDown: string;
    /** 5-field cron of the morning start (`aiplatform:scaling.scaleUp`), in `timeZone`. */
    scaleUp: string;
    /** Windows time zone id of both schedules, e.g. "Arabian Standard Time" (UTC+4, no daylight saving). */
    timeZone: string;
    /** Log Analytics workspace for the workflows' run history (WorkflowRuntime logs). */
    workspaceId: pulumi.Input<string>;
}

export interface PoolScheduleOutputs {
    identityPrincipalId: pulumi.Output<string>;
    stopWorkflowId: pulumi.Output<string>;
    startWorkflowId: pulumi.Output<string>;
}

/** GUID of the pool scheduler's custom role (stable: the pipeline's ABAC condition names it). */
export function poolSchedulerRoleGuid(clusterName: string): string {
    return stableGuid(`aiplatform:pool-scheduler:${clusterName}`);
}

function recurrenceOf(cron: string, timeZone: string): Recurrence {
    const r = cronToRecurrence(cron, timeZone);
    // Config validation rejects these first; this guards direct callers of the component.
    if (typeof r === "string") throw new Error(`scheduled scaling: ${r}`);
    return r;
}

/** AgentPool provisioning states after which AKS accepts the next pool operation. */
const TERMINAL_PROVISIONING_STATES = ["Succeeded", "Failed", "Canceled"] as const;

/** How long a workflow waits for one pool operation, and how often it looks. */
const POLL = { interval: { count: 30, unit: "Second" }, limit: { count: 120, timeout: "PT1H" } } as const;

/**
 * The workflow definition: on each recurrence, for every pool in turn, wait until the pool is idle, PUT it back with
 * `powerState` unless it is already there, and wait until that operation has finished before the next pool — AKS
 * runs one agent-pool operation per cluster at a time (409 OperationNotAllowed otherwise, aka.ms/aks-pending-operation),
 * and its PUT answers 200/201 with the pool still Stopping/Starting, which Logic Apps does not poll by itself. A pool
 * that does not end in Succeeded is recorded, and the run fails naming it once every pool has been tried.
 */
export function workflowDefinition(recurrence: Recurrence, identityId: pulumi.Input<string>, powerState: PowerState): Record<string, unknown> {
    const auth = { type: "ManagedServiceIdentity", identity: identityId, audience: "https://management.azure.com/" };
    const retryPolicy = { type: "exponential", count: 4, interval: "PT30S" };
    const uri = `@{concat('https://management.azure.com', parameters('clusterId'), '/agentPools/', item(), '?api-version=${AKS_API_VERSION}')}`;
    const get = { type: "Http", inputs: { method: "GET", uri, authentication: auth, retryPolicy } };
    // Expressions without the leading "@", to compose; `at` makes one a workflow expression.
    const read = (action: string) => `equals(actions('${action}')?['status'], 'Succeeded')`;
    const state = (action: string) => `body('${action}')?['properties']?['provisioningState']`;
    const terminal = (action: string) => `contains(createArray('${TERMINAL_PROVISIONING_STATES.join("', '")}'), ${state(action)})`;
    const at = (expression: string) => `@${expression}`;
    // A loop ends when the pool has settled, or when reading it failed (after the retry policy): no busy polling.
    const settledOrUnreadable = (action: string) => at(`or(not(${read(action)}), ${terminal(action)})`);
    const pause = { type: "Wait", inputs: { interval: POLL.interval } };
    const record = { type: "AppendToArrayVariable", inputs: { name: "failedPools", value: "@item()" } };
    return {
        $schema: "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#",
        contentVersion: "1.0.0.0",
        parameters: {
            clusterId: { type: "String" },
            pools: { type: "Array" },
        },
        triggers: {
            [powerState === "Stopped" ? "Evening" : "Morning"]: { type: "Recurrence", recurrence },
        },
        // Action names are unique per workflow, loops and branches included.
        actions: {
            Failed_pools: { type: "InitializeVariable", inputs: { variables: [{ name: "failedPools", type: "array", value: [] }] } },
            For_each_pool: {
                type: "Foreach",
                foreach: "@parameters('pools')",
                runAfter: { Failed_pools: ["Succeeded"] },
                runtimeConfiguration: { concurrency: { repetitions: 1 } },
                actions: {
                    // An upgrade or the other workflow may still be running on this pool.
                    Wait_until_idle: {
                        type: "Until",
                        expression: settledOrUnreadable("Get_pool"),
                        limit: POLL.limit,
                        actions: {
                            Get_pool: get,
                            Pause_while_busy: {
                                type: "If",
                                runAfter: { Get_pool: ["Succeeded"] },
                                expression: { and: [{ equals: [at(terminal("Get_pool")), false] }] },
                                actions: { Pause_idle: pause },
                                else: { actions: {} },
                            },
                        },
                    },
                    [`Unless_already_${powerState}`]: {
                        type: "If",
                        runAfter: { Wait_until_idle: ["Succeeded", "Failed", "TimedOut"] },
                        expression: {
                            and: [
                                { equals: [at(read("Get_pool")), true] },
                                { not: { equals: [`@body('Get_pool')?['properties']?['powerState']?['code']`, powerState] } },
                            ],
                        },
                        actions: {
                            [`Set_${powerState}`]: {
                                type: "Http",
                                inputs: {
                                    method: "PUT",
                                    uri,
                                    authentication: auth,
                                    retryPolicy,
                                    body: `@setProperty(body('Get_pool'), 'properties', setProperty(body('Get_pool')['properties'], 'powerState', json('{"code":"${powerState}"}')))`,
                                },
                            },
                            // Also after a refused PUT: the next pool must not start while this one is busy.
                            Wait_until_done: {
                                type: "Until",
                                runAfter: { [`Set_${powerState}`]: ["Succeeded", "Failed", "TimedOut"] },
                                expression: settledOrUnreadable("Poll_pool"),
                                limit: POLL.limit,
                                actions: { Pause_done: pause, Poll_pool: { ...get, runAfter: { Pause_done: ["Succeeded"] } } },
                            },
                            Record_unless_Succeeded: {
                                type: "If",
                                runAfter: { Wait_until_done: ["Succeeded", "Failed", "TimedOut"] },
                                expression: { and: [{ equals: [at(`and(${read(`Set_${powerState}`)}, equals(${state("Poll_pool")}, 'Succeeded'))`), false] }] },
                                actions: { Record_failure: record },
                                else: { actions: {} },
                            },
                        },
                        // Already in the power state — or the pool could not be read at all, which is a failure too.
                        else: {
                            actions: {
                                Record_if_unreadable: {
                                    type: "If",
                                    expression: { and: [{ equals: [at(read("Get_pool")), false] }] },
                                    actions: { Record_unreadable: record },
                                    else: { actions: {} },
                                },
                            },
                        },
                    },
                },
            },
            Fail_if_a_pool_failed: {
                type: "If",
                runAfter: { For_each_pool: ["Succeeded", "Failed"] },
                expression: { and: [{ greater: ["@length(variables('failedPools'))", 0] }] },
                actions: {
                    Fail_run: {
                        type: "Terminate",
                        inputs: {
                            runStatus: "Failed",
                            runError: { code: "AgentPoolNotSucceeded", message: `@{concat('not ${powerState} (provisioningState not Succeeded): ', join(variables('failedPools'), ', '))}` },
                        },
                    },
                },
                else: { actions: {} },
            },
        },
        outputs: {},
    };
}

export function createPoolSchedule(name: string, args: PoolScheduleArgs, parent: pulumi.Resource): PoolScheduleOutputs {
    const clusterName = args.names.of("aksCluster");
    const identity = new managedidentity.UserAssignedIdentity(
        `${name}-identity`,
        { resourceName: args.names.of("managedIdentity", "pool-scheduler"), resourceGroupName: args.resourceGroupName, location: args.location },
        { parent },
    );
    const role = new authorization.RoleDefinition(
        `${name}-role`,
        {
            roleDefinitionId: poolSchedulerRoleGuid(clusterName),
            // Custom role names are unique per tenant: the cluster name carries environment and region.
            roleName: `${clusterName} pool scheduler`,
            description: `Stops and starts the node pools of ${clusterName} on a schedule (aiplatform scheduled scaling).`,
            scope: args.resourceGroupId,
            assignableScopes: [args.resourceGroupId],
            permissions: [{ actions: [...SCHEDULER_ACTIONS] }],
        },
        { parent },
    );
    const assignment = grant(
        `${name}-role-assignment`,
        {
            principalId: identity.principalId,
            principalType: "ServicePrincipal",
            // From the definition's id, so the assignment waits for the definition.
            role: { customRoleGuid: role.id.apply((id) => id.split("/").pop()!) },
            scope: args.clusterId,
            subscriptionId: subscriptionIdOf(parent),
            description: "Scheduled scaling: stop/start the cluster's user pools",
        },
        parent,
    );

    const workflow = (suffix: string, cron: string, powerState: PowerState) => {
        const wf = new logic.Workflow(
            `${name}-${suffix}`,
            {
                workflowName: args.names.of("logicApp", `pools-${suffix}`),
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                state: "Enabled",
                identity: { type: "UserAssigned", userAssignedIdentities: [identity.id] },
                definition: workflowDefinition(recurrenceOf(cron, args.timeZone), identity.id, powerState),
                parameters: {
                    clusterId: { type: "String", value: args.clusterId },
                    pools: { type: "Array", value: args.pools },
                },
            },
            // The first run must find the role assignment in place.
            { parent, dependsOn: [assignment] },
        );
        diagnosticSettings(`${name}-${suffix}`, { resourceId: wf.id, workspaceId: args.workspaceId, categories: ["WorkflowRuntime"] }, parent);
        return wf;
    };
    const stop = workflow("stop", args.scaleDown, "Stopped");
    const start = workflow("start", args.scaleUp, "Running");
    return { identityPrincipalId: identity.principalId, stopWorkflowId: stop.id, startWorkflowId: start.id };
}

/** Scheduled stop/start of a cluster's user pools; type token `aiplatform:scaling:PoolSchedule`. */
export class PoolSchedule extends pulumi.ComponentResource implements PoolScheduleOutputs {
    public readonly identityPrincipalId: pulumi.Output<string>;
    public readonly stopWorkflowId: pulumi.Output<string>;
    public readonly startWorkflowId: pulumi.Output<string>;

    constructor(name: string, args: PoolScheduleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aiplatform:scaling:PoolSchedule", name, {}, opts);
        const out = createPoolSchedule(name, args, this);
        this.identityPrincipalId = out.identityPrincipalId;
        this.stopWorkflowId = out.stopWorkflowId;
        this.startWorkflowId = out.startWorkflowId;
        this.registerOutputs({ ...out });
    }
}
