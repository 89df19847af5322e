import type { StackRule } from "../../lib/rule";
import { ofType, pointedAtBy } from "../../lib/stack";

export const DIAGNOSED_TYPES = [
    "azure-native:containerservice:ManagedCluster",
    "azure-native:network:AzureFirewall",
    "azure-native:keyvault:Vault",
    "azure-native:containerregistry:Registry",
];

export const diagnosticSettingsPresent: StackRule = {
    name: "diagnostic-settings-present",
    description:
        "The cluster, firewall, Key Vault and registry each send resource logs somewhere: a monitor:DiagnosticSetting " +
        "whose resourceUri is the resource's id. Matches Azure Policy 245fc9df-fa96-4414-9a0b-3738c2f7341c (Resource logs " +
        "in AKS), cf820ca0-f99e-4f3e-84fb-66e913812d21 (Resource logs in Key Vault), 5fcf46f9-194c-47ff-8889-380f57ae4617 " +
        "(Firewall logs to Log Analytics) and 56288eb2-4350-461d-9ece-2bb242269dce (Container registry logs).",
    enforcementLevel: "advisory",
    validateStack: (args, report) => {
        const settings = ofType(args.resources, "azure-native:monitor:DiagnosticSetting");
        for (const target of ofType(args.resources, ...DIAGNOSED_TYPES)) {
            if (pointedAtBy(target, settings, "resourceUri") === false) {
                report("add a monitor:DiagnosticSetting with resourceUri set to this resource's id (components/core/diagnostics.ts)", target.urn);
            }
        }
    },
};
