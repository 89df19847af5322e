/** A namer bound to one stack's naming context (config/naming.ts has the rules), so components ask `names.of("keyVault")`. */
import { type NameKind, type NamingContext, resourceName } from "../../config/naming";

export class Namer {
    constructor(readonly ctx: NamingContext) {}
    of(kind: NameKind, role?: string): string {
        return resourceName(this.ctx, kind, role);
    }
}
