// Durable order workflows on Azure Functions Flex Consumption, deployed with `azd up`.
// Structure follows Azure-Samples/durable-functions-quickstart-typescript-azd (Azure Storage backend),
// written with plain resources, identity-only storage access and the Flex tuning that sample leaves out
// (always-ready `durable` instance, explicit task hub, Node version pinned to package.json engines).
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; seeds the unique suffix of every resource name.')
param environmentName string

@minLength(1)
@description('Region for all resources. It must offer Flex Consumption: az functionapp list-flexconsumption-locations.')
@metadata({ azd: { type: 'location' } })
param location string

@description('Object id of the person running azd (azd sets AZURE_PRINCIPAL_ID). Gets data access to the storage account (principalStorageAccess) to watch the task hub. Empty: no access is granted.')
param principalId string = ''

@description('Durable Functions task hub name (host.json hubName is %TASKHUB_NAME%). Letters and digits, starting with a letter, 3-45 characters. Use a different one for every app or devhost sharing the storage account.')
@minLength(3)
@maxLength(45)
param taskHubName string = 'OrdersHub'

@description('Upper bound of Flex Consumption scale-out.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Memory per instance.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('Data access to the storage account for principalId: read (watch the task hub) or readWrite (also run the devhost against it with your Entra ID identity).')
@allowed(['read', 'readWrite'])
param principalStorageAccess string = 'read'

@description('Optional name overrides; empty means a generated name.')
param resourceGroupName string = ''
param functionAppName string = ''
param storageAccountName string = ''

// Flex Consumption takes the Node major version as functionAppConfig.runtime.version; it matches
// package.json engines (">=20"), which is also what the tests in test/deploy check.
var nodeRuntimeVersion = '20'

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var appName = !empty(functionAppName) ? functionAppName : 'func-${resourceToken}'
var deploymentContainerName = 'app-package-${take(appName, 32)}-${take(toLower(uniqueString(appName, resourceToken)), 7)}'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'app/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-${appName}'
    location: location
    tags: tags
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: !empty(storageAccountName) ? storageAccountName : 'st${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    appPrincipalId: identity.outputs.principalId
    deployerPrincipalId: principalId
    deployerStorageAccess: principalStorageAccess
  }
}

module functionApp 'app/function-app.bicep' = {
  name: 'function-app'
  scope: rg
  // The host connects to storage with the identity as soon as the site exists; granting the roles first
  // avoids a start-up spell of 403s (role propagation can still take a few minutes).
  dependsOn: [rbac]
  params: {
    name: appName
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    nodeRuntimeVersion: nodeRuntimeVersion
    taskHubName: taskHubName
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
  }
}

// azd reads these into the environment (.azure/<env>/.env); docs/deploy.md uses them.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = functionApp.outputs.uri
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output TASKHUB_NAME string = taskHubName
