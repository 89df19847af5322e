/** Renders each AI overlay once per test file (kubectl kustomize through the GitOps validator's renderOverlay). */
import { renderOverlay } from "../../tools/gitops/render";
import type { Obj } from "../../tools/workloads/checks";
import { SPOKE_STACKS } from "../../tools/workloads/scheduling";

const cache = new Map<string, Promise<Obj[]>>();

export function rendered(stack: string): Promise<Obj[]> {
    if (!cache.has(stack)) cache.set(stack, renderOverlay(`workloads/overlays/${stack}`) as unknown as Promise<Obj[]>);
    return cache.get(stack)!;
}

export const STACKS = SPOKE_STACKS;

export function find(objects: Obj[], kind: string, name: string, namespace?: string): Obj {
    const o = objects.find((x) => x.kind === kind && x.metadata.name === name && (namespace === undefined || x.metadata.namespace === namespace));
    if (!o) throw new Error(`${kind} ${namespace ?? "*"}/${name} not rendered`);
    return o;
}
