/**
 * Spoke stack program (dev-uaenorth, stg-uaenorth, prd-uaenorth): reads config, composes components.
 * No resource logic lives here; each concern is one folder under components/.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadSpokeConfig } from "./config";
import { planNow } from "./config/clock";
import { Namer } from "./components/core/naming";
import { applyStackDefaults } from "./components/core/stack-defaults";
import { Foundation } from "./components/foundation";
import { readHubOutputs } from "./components/hub/outputs";
import { SpokeNetwork } from "./components/network";
import { AksCluster, networkReaderRoleGuid } from "./components/aks";
import { PoolSchedule, poolSchedulerRoleGuid } from "./components/scaling";
import { Budget, firstDayOfMonth } from "./components/cost";
import { customBlobRoleGuids, federatedTenantNamespaces, Identities } from "./components/identity";
import { Protection } from "./components/protection";
import { RbacTemplates } from "./components/rbac";
import { Registry } from "./components/registry";
import { Secrets } from "./components/secrets";
import { esoSecretNames } from "./components/secrets/eso-reads";
import { DataLake } from "./components/storage";
import { CustomerManagedKeys } from "./components/encryption";
import { cloudflareApiToken, Edge, internalDomainOf } from "./components/edge";
import { EDGE_SECRET_NAMES } from "./components/edge/names";
import { FluxBootstrap } from "./components/flux-bootstrap";

export = async () => {
    const cfg = loadSpokeConfig();
    applyStackDefaults({ environment: cfg.environment, location: cfg.location, ...cfg.tags });
    const names = new Namer({ prefix: cfg.namePrefix, environment: cfg.environment, location: cfg.location });
    // Read before anything is declared: a plain-text token or none at `pulumi up` stops here with one line.
    const cloudflareToken = cfg.features.edge && cfg.edge ? cloudflareApiToken() : undefined;

    const hub = readHubOutputs(new pulumi.StackReference("hub", { name: cfg.hubStack }), cfg.environment);
    const foundation = new Foundation("spoke", {
        names,
        location: cfg.location,
        retentionDays: cfg.logAnalytics.retentionDays,
        dailyQuotaGb: cfg.logAnalytics.dailyQuotaGb,
    });
    const network = new SpokeNetwork("spoke", {
        names,
        location: cfg.location,
        resourceGroupName: foundation.resourceGroupName,
        workspaceId: foundation.workspaceId,
        network: cfg.network,
        hub,
    });
    // Vault and customer-managed keys come before the cluster and the lake: AKS takes its disk encryption set only
    // at creation, and the lake's account validates its key when it is created.
    const data = { names, location: cfg.location, resourceGroupName: foundation.resourceGroupName, workspaceId: foundation.workspaceId };
    const privateLink = { subnetId: network.subnetIds.privateEndpoints, dnsZoneIds: network.privateDnsZoneIds };
    // The Key Vault secrets the cluster's ExternalSecrets read, from the GitOps tree: ESO's identity is granted each one.
    const edgeOn = cloudflareToken !== undefined && cfg.edge !== undefined;
    const edgeSecretVars = { origin_cert_secret: edgeOn ? EDGE_SECRET_NAMES.originCert : "", origin_key_secret: edgeOn ? EDGE_SECRET_NAMES.originKey : "" };
    const secrets = new Secrets("spoke", {
        ...data,
        esoReads: esoSecretNames(pulumi.getStack(), edgeSecretVars),
        writtenElsewhere: Object.values(EDGE_SECRET_NAMES),
        privateLink,
        softDeleteRetentionDays: cfg.keyVault.softDeleteRetentionDays,
        rotation: cfg.keyVault.rotation,
        secretExpiryDays: cfg.keyVault.secretExpiryDays,
        pipelinePrincipalId: cfg.rbac.automation,
        customerManagedKeys: cfg.keyVault.customerManagedKeys,
        gatewayTeams: cfg.gateway.teams.map((t) => t.name),
    });
    const cmk = cfg.keyVault.customerManagedKeys
        ? new CustomerManagedKeys("spoke", { ...data, vaultId: secrets.vaultId, vaultName: secrets.vaultName, vaultUri: secrets.vaultUri, rotationDays: cfg.keyVault.keyRotationDays })
        : undefined;
    const aks = new AksCluster("spoke-aks", {
        names,
        location: cfg.location,
        resourceGroupName: foundation.resourceGroupName,
        workspaceId: foundation.workspaceId,
        config: cfg,
        network: {
            vnetId: network.vnetId,
            subnetIds: network.subnetIds,
            routeTableId: network.routeTableId,
            ingressRouteTableId: network.ingressRouteTableId,
            ingressPublicIpId: network.ingressPublicIpId,
            privateDnsZoneId: network.aksPrivateDnsZoneId,
        },
        diskEncryptionSetId: cmk?.diskEncryptionSetId,
    });
    const schedule = cfg.scaling.enabled
        ? new PoolSchedule("spoke-scaling", {
              names,
              location: cfg.location,
              resourceGroupName: foundation.resourceGroupName,
              resourceGroupId: foundation.resourceGroupId,
              clusterId: aks.clusterId,
              pools: cfg.scaling.pools,
              scaleDown: cfg.scaling.scaleDown,
              scaleUp: cfg.scaling.scaleUp,
              timeZone: cfg.scaling.timeZone,
              workspaceId: foundation.workspaceId,
          })
        : undefined;

    // Data layer: registry, lake, workload identities, RBAC personas, budget.
    const registry = new Registry("spoke", {
        ...data,
        privateLink,
        kubeletIdentityObjectId: aks.kubeletIdentityObjectId,
        untaggedRetentionDays: cfg.registry.untaggedRetentionDays,
        geoReplicaLocation: cfg.features.registryGeoReplication ? cfg.registry.geoReplicaLocation : undefined,
        upstreamCache: true,
    });
    const lake = new DataLake("spoke", { ...data, privateLink, ...cfg.dataLake, customerManagedKey: cmk?.lakeKey });
    // Cloudflare edge: proxied records on the public ingress IP, origin certificate into the vault, zone floor,
    // origin pulls, and *.<env> in the hub's internal zone → the internal ingress.
    const edge =
        cloudflareToken && cfg.edge
            ? new Edge("edge", {
                  environment: cfg.environment,
                  location: cfg.location,
                  namePrefix: cfg.namePrefix,
                  config: cfg.edge,
                  apiToken: cloudflareToken.token,
                  ingressPublicIp: network.ingressPublicIpAddress,
                  ingressInternalIp: network.ingressInternalIp,
                  vault: { name: secrets.vaultName, resourceGroupName: foundation.resourceGroupName },
                  internalDns: { zoneName: hub.privateDnsZoneNames.apply((z) => z.internal), resourceGroupName: hub.resourceGroupName },
              })
            : undefined;

    const identities = new Identities("spoke", {
        names,
        location: cfg.location,
        resourceGroupName: foundation.resourceGroupName,
        oidcIssuerUrl: aks.oidcIssuerUrl,
        scopes: { resourceGroup: foundation.resourceGroupId, secrets: { ...secrets.secretIds, ...edge?.secretIds }, containers: lake.containerIds },
        tenantNamespaces: federatedTenantNamespaces(cfg),
    });
    const rbac = new RbacTemplates("spoke", {
        environment: cfg.environment,
        stack: pulumi.getStack(),
        principals: { developers: cfg.rbac.developers, platform: cfg.rbac.platform, automation: cfg.rbac.automation },
        developerNamespaces: cfg.rbac.developerNamespaces,
        customServiceRoles: [networkReaderRoleGuid(names.of("aksCluster")), ...customBlobRoleGuids(names), ...(cfg.scaling.enabled ? [poolSchedulerRoleGuid(names.of("aksCluster"))] : [])],
        scopes: { resourceGroup: foundation.resourceGroupId, registry: registry.registryId, vault: secrets.vaultId, workspace: foundation.workspaceId, cluster: aks.clusterId },
    });
    const budget = cfg.budget
        ? new Budget("spoke", { names, ...cfg.budget, startDate: firstDayOfMonth(planNow()), resourceGroupNames: [foundation.resourceGroupName, aks.nodeResourceGroup] })
        : undefined;

    // GitOps: Flux takes over the cluster from here; cluster-vars are the only bridge from these outputs to Git.
    const flux = cfg.flux
        ? new FluxBootstrap("spoke-flux", {
              stack: pulumi.getStack(),
              config: cfg,
              resourceGroupName: foundation.resourceGroupName,
              clusterName: aks.clusterName,
              clusterVars: {
                  cluster_name: aks.clusterName,
                  tenant_id: secrets.tenantId,
                  key_vault_url: secrets.vaultUri,
                  acr_login_server: registry.loginServer,
                  storage_account: lake.accountName,
                  logs_container: lake.containerNames.logs,
                  traces_container: lake.containerNames.traces,
                  mlflow_container: lake.containerNames.mlflow,
                  argo_container: lake.containerNames.argo,
                  eso_client_id: identities.clientIds.eso,
                  loki_client_id: identities.clientIds.loki,
                  tempo_client_id: identities.clientIds.tempo,
                  mlflow_client_id: identities.clientIds.mlflow,
                  model_loader_client_id: identities.clientIds.model_loader,
                  argo_client_id: identities.clientIds.argo,
                  drift_collector_client_id: identities.clientIds.drift_collector,
                  notebook_client_id: identities.clientIds.notebook,
                  internal_dns_zone: hub.privateDnsZoneNames.apply((z) => internalDomainOf(cfg.environment, z.internal)),
                  ...edgeSecretVars,
                  ingress_public_ip: network.ingressPublicIpAddress,
                  ingress_public_ip_name: network.ingressPublicIpName,
                  ingress_public_ip_resource_group: foundation.resourceGroupName,
                  ingress_internal_ip: network.ingressInternalIp,
                  ingress_internal_subnet: network.subnetNames.ingressInternal,
              },
          })
        : undefined;

    // prd locks last: they depend on everything declared above (deploy-order constraint lock-after-scope).
    const declared = [foundation, network, secrets, cmk, aks, schedule, registry, lake, identities, rbac, budget, edge, flux];
    new Protection("spoke", {
        names,
        environment: cfg.environment,
        resourceGroups: { rg: foundation.resourceGroupId },
        after: declared.filter((c): c is NonNullable<typeof c> => c !== undefined),
    });

    return {
        environment: cfg.environment,
        resourceGroupName: foundation.resourceGroupName,
        workspaceId: foundation.workspaceId,
        hubResourceGroupName: hub.resourceGroupName,
        vnetId: network.vnetId,
        ingressPublicIpAddress: network.ingressPublicIpAddress,
        ingressInternalIp: network.ingressInternalIp,
        clusterName: aks.clusterName,
        oidcIssuerUrl: aks.oidcIssuerUrl,
        kubeletIdentityObjectId: aks.kubeletIdentityObjectId,
        // For cluster-vars and the edge: names, URLs and client ids only, never a secret value.
        keyVaultName: secrets.vaultName,
        keyVaultUrl: secrets.vaultUri,
        acrLoginServer: registry.loginServer,
        storageAccountName: lake.accountName,
        lakeContainers: lake.containerNames,
        workloadClientIds: identities.clientIds,
        generatedSecretNames: secrets.generatedSecretNames,
        gatewayKeyNames: secrets.gatewayKeyNames,
        // Edge: host names, Key Vault secret names (cluster-vars origin_cert_secret/origin_key_secret), dates, ids.
        edge: edge && {
            hostnames: edge.publicHostnames,
            internalDomain: edge.internalDomain,
            secretNames: edge.secretNames,
            originCertificateExpiresOn: edge.originCertificateExpiresOn,
            secretsExpireOn: edge.secretsExpireOn,
            originCertificateId: edge.originCertificateId,
        },
        flux: flux && { source: flux.source, kustomizations: flux.kustomizations },
    };
};
