// The Flex Consumption plan and the function app. Flex takes the runtime from functionAppConfig, not from
// app settings: FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION, WEBSITE_RUN_FROM_PACKAGE,
// WEBSITE_CONTENT* and WEBSITE_NODE_DEFAULT_VERSION are not supported there and must not be set.
param name string
param planName string
param location string
param tags object
@description('The app\'s identity: host storage, the task hub, Application Insights.')
param identityId string
param identityClientId string
@description('The deployment identity: Flex writes and reads the package in the deployment container with it.')
param deploymentIdentityId string
param storageAccountName string
param deploymentContainerUrl string
param applicationInsightsConnectionString string
param nodeRuntimeVersion string
param taskHubName string
param maximumInstanceCount int
param instanceMemoryMB int
@allowed(['function', 'anonymous'])
param httpAuthLevel string
@description('Subnet (delegated to Microsoft.App/environments) for outbound virtual network integration; empty for none.')
param virtualNetworkSubnetId string = ''
@description('azureStorage: the task hub in host storage, as host.json says. durableTaskScheduler: app settings select the scheduler.')
@allowed(['azureStorage', 'durableTaskScheduler'])
param durableBackend string = 'azureStorage'
@description('The scheduler\'s endpoint (durableTaskScheduler only).')
param durableTaskSchedulerEndpoint string = ''
@description('true: the site and its SCM (deployment) endpoint refuse public traffic except from allowedIpRanges.')
param restrictPublicAccess bool = false
@description('Public addresses (CIDR) allowed in when restrictPublicAccess is true.')
param allowedIpRanges array = []

// Every app setting the app and its host read. test/deploy/app-settings.test.ts parses this object and
// checks it against the code (process.env reads, %Setting% references in host.json, connections).
var appSettings = {
  // Host storage (Functions runtime + Durable task hub) through the managed identity. accountName (rather
  // than per-service URIs) lets the host derive the blob, queue and table endpoints, which the Durable
  // extension needs all three of; azure-functions-host #11787 saw intermittent 401s with the URI form.
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  // Telemetry with Entra ID auth; the component rejects instrumentation-key ingestion (DisableLocalAuth).
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // host.json extensions.durableTask.hubName is %TASKHUB_NAME%.
  TASKHUB_NAME: taskHubName
  // authLevel of the public HTTP routes, read by src/http/auth-level.ts: function (keys required) or anonymous.
  HTTP_AUTH_LEVEL: httpAuthLevel
}

// The Durable Task Scheduler backend, selected without a second host.json: the host reads host.json through its
// configuration, where an app setting AzureFunctionsJobHost__<path> overrides the host.json value at <path>
// (Functions docs, host.json reference, "Override host.json values"). host.json keeps `AzureStorage` for local runs
// (the devhost says it keeps the hub in storage when these are set); the provider type and the name of the setting
// holding the connection are those of the quickstart's host.json (Azure-Samples/durable-functions-quickstart-
// typescript-azd, src/host.json: type azureManaged, connectionStringName DURABLE_TASK_SCHEDULER_CONNECTION_STRING),
// and the connection string is its api.bicep's: the scheduler's endpoint, authenticated with the app's identity
// (ClientID selects the user-assigned one). The task hub is TASKHUB_NAME (host.json hubName), the hub that
// durable-task-scheduler.bicep creates. Everything host storage does besides Durable state (host locks, keys, the
// app's ledger tables) stays in AzureWebJobsStorage. Caveat in docs/deploy.md: the platform's scale controller
// reads host.json from the package, not these overrides.
var durableTaskSchedulerSettings = {
  AzureFunctionsJobHost__extensions__durableTask__storageProvider__type: 'azureManaged'
  AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName: 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING'
  DURABLE_TASK_SCHEDULER_CONNECTION_STRING: 'Endpoint=${durableTaskSchedulerEndpoint};Authentication=ManagedIdentity;ClientID=${identityClientId}'
}
var siteAppSettings = union(appSettings, durableBackend == 'durableTaskScheduler' ? durableTaskSchedulerSettings : {})

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true // Linux, the only OS Flex Consumption runs
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  // azd finds the deployment target by this tag (service `api` in azure.yaml).
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
      '${deploymentIdentityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Outbound traffic through the virtual network, so host storage is reached over its private endpoints.
    virtualNetworkSubnetId: empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      // With the virtual network (main.bicep passes restrictPublicAccess: vnetEnabled): the public routes and the
      // SCM endpoint answer only the allowed addresses. SCM uses the same list: `azd deploy` posts the package to
      // https://<app>.scm.azurewebsites.net/api/publish with your Entra token (azure-dev, FuncAppHostClient.Publish)
      // and the platform writes it to the container, so the machine you deploy from must be allowed.
      ipSecurityRestrictionsDefaultAction: restrictPublicAccess ? 'Deny' : 'Allow'
      scmIpSecurityRestrictionsDefaultAction: restrictPublicAccess ? 'Deny' : 'Allow'
      scmIpSecurityRestrictionsUseMain: true
      ipSecurityRestrictions: [
        for (cidr, i) in (restrictPublicAccess ? allowedIpRanges : []): {
          name: 'allowed-${i}'
          ipAddress: cidr
          action: 'Allow'
          priority: 100 + i
        }
      ]
      appSettings: [
        for setting in items(siteAppSettings): {
          name: setting.key
          value: setting.value
        }
      ]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          // The deployment identity, not the app's: only it may write the container (rbac.bicep).
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: deploymentIdentityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        // Flex scales to zero within about 30 s of idleness, and a new instance only notices queue work
        // when the scale controller polls (every 10 s) and the instance has started; the first message of
        // a quiet app could wait minutes (Azure-Functions #2581). One always-ready instance for the
        // `durable` group (orchestrators, activities, entities) keeps a poller on the task hub at all
        // times, as the Durable docs advise for Flex. It is billed while idle.
        alwaysReady: [
          {
            name: 'durable'
            instanceCount: 1
          }
        ]
      }
      runtime: {
        name: 'node'
        version: nodeRuntimeVersion
      }
    }
  }
}

// No basic-auth (user name and password) publishing: SCM and FTP accept Entra ID only. azd publishes with an
// Entra token, and so do `az functionapp deployment source config-zip` and the portal's deployment center.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

output name string = site.name
output uri string = 'https://${site.properties.defaultHostName}'
