/**
 * Renders each stack's AI overlays (the Flux layers under workloads/: ai, models, manual-secrets) once per test file,
 * through the GitOps validator's renderOverlay, as one list.
 */
import { FLUX_LAYERS } from "../../components/flux-bootstrap/layers";
import { renderOverlay } from "../../tools/gitops/render";
import type { Obj } from "../../tools/workloads/checks";
import { SPOKE_STACKS } from "../../tools/workloads/scheduling";

const cache = new Map<string, Promise<Obj[]>>();

export function rendered(stack: string): Promise<Obj[]> {
    if (!cache.has(stack)) {
        const overlays = FLUX_LAYERS.map((l) => l.includes(stack)).filter((p) => p.startsWith("workloads/"));
        cache.set(stack, Promise.all(overlays.map((p) => renderOverlay(p))).then((ls) => ls.flat() as unknown as Obj[]));
    }
    return cache.get(stack)!;
}

export const STACKS = SPOKE_STACKS;

export function find(objects: Obj[], kind: string, name: string, namespace?: string): Obj {
    const o = objects.find((x) => x.kind === kind && x.metadata.name === name && (namespace === undefined || x.metadata.namespace === namespace));
    if (!o) throw new Error(`${kind} ${namespace ?? "*"}/${name} not rendered`);
    return o;
}
