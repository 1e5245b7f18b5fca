// Durable order workflows on Azure Functions Flex Consumption, deployed with `azd up`.
// Structure follows Azure-Samples/durable-functions-quickstart-typescript-azd (Azure Storage backend),
// written with plain resources, identity-only storage access and the Flex tuning that sample leaves out
// (always-ready `durable` instance, explicit task hub, Node version pinned to package.json engines).
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; seeds the unique suffix of every resource name.')
param environmentName string

// Flex Consumption is not offered in every region. The list is the one Microsoft's Flex templates allow
// (Azure-Samples/functions-quickstart-typescript-azd, infra/main.bicep), less the canary region eastus2euap; azd
// offers only these when it asks for a region. Regions are added over time: check
// `az functionapp list-flexconsumption-locations -o table` and extend the list if yours is missing.
@minLength(1)
@description('Region for all resources. It must offer Flex Consumption: az functionapp list-flexconsumption-locations.')
@allowed([
  'australiaeast'
  'australiasoutheast'
  'brazilsouth'
  'canadacentral'
  'centralindia'
  'centralus'
  'eastasia'
  'eastus'
  'eastus2'
  'francecentral'
  'germanywestcentral'
  'italynorth'
  'japaneast'
  'koreacentral'
  'northcentralus'
  'northeurope'
  'norwayeast'
  'southafricanorth'
  'southcentralus'
  'southeastasia'
  'southindia'
  'spaincentral'
  'swedencentral'
  'uaenorth'
  'uksouth'
  'ukwest'
  'westcentralus'
  'westeurope'
  'westus'
  'westus2'
  'westus3'
])
@metadata({ azd: { type: 'location' } })
param location string

@description('Object id of the person running azd (azd sets AZURE_PRINCIPAL_ID). Gets data access to the storage account (principalStorageAccess) to watch the task hub. Empty: no access is granted.')
param principalId string = ''

@description('Durable Functions task hub name (host.json hubName is %TASKHUB_NAME%). Letters and digits, starting with a letter, 3-45 characters. Use a different one for every app or devhost sharing the storage account.')
@minLength(3)
@maxLength(45)
param taskHubName string = 'OrdersHub'

// 40 is the lowest maximum Flex Consumption accepts (MicrosoftDocs azure-docs, flex-consumption-plan.md,
// "Considerations": "The lowest maximum scale ... is 40"), and the floor Microsoft's Flex templates use.
@description('Upper bound of Flex Consumption scale-out (40-1000).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Memory per instance.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('Data access to the storage account for principalId: read (watch the task hub) or readWrite (also run the devhost against it with your Entra ID identity).')
@allowed(['read', 'readWrite'])
param principalStorageAccess string = 'read'

@description('Who may call the public HTTP routes: function (a function key is required; the default) or anonymous (only behind something that authenticates, such as API Management). Sets the HTTP_AUTH_LEVEL app setting read by src/http/auth-level.ts.')
@allowed(['function', 'anonymous'])
param httpAuthLevel string = 'function'

@description('Private networking: a virtual network, the app\'s outbound integration into it, private endpoints for the storage account\'s blob, queue and table services, and public network access to the account turned off.')
param vnetEnabled bool = false

@description('Optional name overrides; empty means a generated name.')
param resourceGroupName string = ''
param functionAppName string = ''
param storageAccountName string = ''

// Flex Consumption takes the Node major version as functionAppConfig.runtime.version. Azure runs Node 22 (Node 20
// reached end of life in April 2026); local development needs only package.json engines (">=20"), and the code
// is type-checked against Node 20 (@types/node) so it runs on both. test/deploy/node-version.test.ts keeps the
// two in step.
var nodeRuntimeVersion = '22'

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
    publicNetworkAccess: !vnetEnabled
  }
}

// Optional private networking, after Microsoft's Flex templates (Azure-Samples/functions-quickstart-javascript-azd,
// infra/app/vnet.bicep and storage-PrivateEndpoint.bicep), written with plain resources.
module network 'app/network.bicep' = if (vnetEnabled) {
  name: 'network'
  scope: rg
  params: {
    name: 'vnet-${resourceToken}'
    location: location
    tags: tags
  }
}

module storagePrivateEndpoints 'app/storage-private-endpoints.bicep' = if (vnetEnabled) {
  name: 'storage-private-endpoints'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    virtualNetworkName: vnetEnabled ? network.outputs.name : ''
    subnetName: vnetEnabled ? network.outputs.privateEndpointSubnetName : ''
    location: location
    tags: tags
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
  // avoids a start-up spell of 403s (role propagation can still take a few minutes). With the virtual network,
  // storage is reachable only through the private endpoints, so they come first too.
  dependsOn: [rbac, storagePrivateEndpoints]
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
    httpAuthLevel: httpAuthLevel
    // The ternary on the condition is how Microsoft's templates read a conditional module's output.
    virtualNetworkSubnetId: vnetEnabled ? network.outputs.appSubnetId : ''
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
output HTTP_AUTH_LEVEL string = httpAuthLevel
output VNET_ENABLED bool = vnetEnabled
