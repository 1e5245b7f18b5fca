// The Flex Consumption plan and the function app. Flex takes the runtime from functionAppConfig, not from
// app settings: FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION, WEBSITE_RUN_FROM_PACKAGE,
// WEBSITE_CONTENT* and WEBSITE_NODE_DEFAULT_VERSION are not supported there and must not be set.
param name string
param planName string
param location string
param tags object
param identityId string
param identityClientId string
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
      appSettings: [
        for setting in items(appSettings): {
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
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
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

output name string = site.name
output uri string = 'https://${site.properties.defaultHostName}'
