/**
 * Container image references: `[registry/]repository[:tag][@digest]`, registry defaulting to docker.io.
 */
export interface ImageRef {
    registry: string;
    repository: string;
    tag?: string;
    digest?: string;
}

export function parseImage(image: string): ImageRef {
    const [nameTag, digest] = image.trim().split("@", 2);
    const slash = nameTag.indexOf("/");
    const first = slash >= 0 ? nameTag.slice(0, slash) : "";
    // A first path part with a dot or a port, or "localhost", is a registry host; otherwise Docker Hub.
    const hasRegistry = slash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost");
    const registry = hasRegistry ? first.toLowerCase() : "docker.io";
    const rest = hasRegistry ? nameTag.slice(slash + 1) : nameTag;
    const colon = rest.lastIndexOf(":");
    const tag = colon > rest.lastIndexOf("/") && colon >= 0 ? rest.slice(colon + 1) : undefined;
    const repository = tag !== undefined ? rest.slice(0, colon) : rest;
    return { registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/**
 * Whether an image comes from an allowed source. A pattern without "/" names a registry host, any port (`*.azurecr.io`
 * matches any subdomain); a pattern with "/" is a prefix of `registry/repository` (`ghcr.io/myorg/`).
 */
export function registryAllowed(ref: ImageRef, patterns: readonly string[]): boolean {
    const full = `${ref.registry}/${ref.repository}`;
    const host = ref.registry.replace(/:\d+$/, "");
    return patterns.some((raw) => {
        const p = raw.trim().toLowerCase();
        if (p.includes("/")) return full.startsWith(p.endsWith("/") ? p : `${p}/`) || full === p;
        if (p.startsWith("*.")) return host.endsWith(p.slice(1));
        return host === p || ref.registry === p;
    });
}
