// Durable order workflows on Azure Functions Flex Consumption, deployed with `azd up`.
// The structure once followed Azure-Samples/durable-functions-quickstart-typescript-azd, when that sample used the
// Azure Storage backend (its history before April 2026); it now uses the Durable Task Scheduler, which is the
// second backend here (durableBackend; the Azure Storage recipe this app follows stays the default). Written with
// plain resources, identity-only access to every data store, and what the sample leaves out: the always-ready
// `durable` instance, an explicit task hub, the Node version pinned to package.json engines, a separate
// deployment identity, and the network and credential lock-down of docs/deploy.md, "Security".
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

@description('Object id of the person running azd (azd sets AZURE_PRINCIPAL_ID). Gets data access to the storage account (principalStorageAccess) and, opt-in, to the scheduler\'s task hub (principalSchedulerAccess). Empty: no access is granted.')
param principalId string = ''

@description('Durable Functions task hub name (host.json hubName is %TASKHUB_NAME%). Letters and digits, starting with a letter, 3-45 characters. Use a different one for every app or devhost sharing the storage account.')
@minLength(3)
@maxLength(45)
param taskHubName string = 'OrdersHub'

@description('Where Durable Functions keeps orchestration state: azureStorage (tables, queues and blobs in the app\'s storage account; the default) or durableTaskScheduler (a Durable Task Scheduler and task hub; the storage account stays for the host and the app\'s tables). docs/deploy.md compares them.')
@allowed(['azureStorage', 'durableTaskScheduler'])
param durableBackend string = 'azureStorage'

@description('Durable Task Scheduler SKU (durableTaskScheduler only): Consumption (billed per action) or Dedicated (reserved capacity).')
@allowed(['Consumption', 'Dedicated'])
param durableTaskSchedulerSku string = 'Consumption'

@description('Your access to the scheduler\'s task hub, e.g. in its dashboard (durableTaskScheduler only): none, read (Durable Task Data Reader) or readWrite (Durable Task Data Contributor: also pause, terminate, raise events).')
@allowed(['none', 'read', 'readWrite'])
param principalSchedulerAccess string = 'none'

// 40 is the lowest maximum Flex Consumption accepts (MicrosoftDocs azure-docs, flex-consumption-plan.md,
// "Considerations": "The lowest maximum scale ... is 40"), and the floor Microsoft's Flex templates use.
@description('Upper bound of Flex Consumption scale-out (40-1000).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Memory per instance.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('Data access to the storage account for principalId: none, read (watch the task hub: queues, tables and the hub\'s own containers, not function keys or the package) or readWrite (also run the devhost against it with your Entra ID identity).')
@allowed(['none', 'read', 'readWrite'])
param principalStorageAccess string = 'read'

@description('Who may call the public HTTP routes: function (a function key is required; the default) or anonymous (only behind something that authenticates, such as API Management). Sets the HTTP_AUTH_LEVEL app setting read by src/http/auth-level.ts.')
@allowed(['function', 'anonymous'])
param httpAuthLevel string = 'function'

@description('Private networking: a virtual network, the app\'s outbound integration into it, private endpoints for the storage account\'s blob, queue and table services, public network access to the account turned off, and the site and its SCM endpoint open only to allowedIpRanges.')
param vnetEnabled bool = false

@description('With vnetEnabled (required then): the public addresses, as CIDR ranges separated by commas, that may call the app and deploy to it (azd deploy posts the package to the SCM endpoint). 0.0.0.0/0 keeps them open to all.')
param allowedIpRanges string = ''

@description('Optional name overrides; empty means a generated name.')
param resourceGroupName string = ''
@description('Function app name override: 2-60 letters, digits and single hyphens, not at either end. Lowercased (host names and the deployment container name are lowercase).')
@maxLength(60)
param functionAppName string = ''
param storageAccountName string = ''

// Flex Consumption takes the Node major version as functionAppConfig.runtime.version. Azure runs Node 22 (Node 20
// reached end of life in April 2026); local development needs only package.json engines (">=20"), and the code
// is type-checked against Node 20 (@types/node) so it runs on both. test/deploy/node-version.test.ts keeps the
// two in step.
var nodeRuntimeVersion = '22'

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }

// Names checked before anything is created (Bicep has no regular expressions: a character at a time). fail() stops
// the deployment with the message (Bicep docs, "Flow control functions").
var lowercaseLetters = 'abcdefghijklmnopqrstuvwxyz'
var lowercaseLettersAndDigits = '${lowercaseLetters}0123456789'
// A task hub name is letters and digits, starting with a letter (the Azure Storage provider builds queue, table and
// container names from it; a hyphen provisions, then stops the Durable host). The scheduler's task hub resource
// accepts that too (^[a-zA-Z0-9-]{3,64}$).
var taskHubNameIsValid = contains(lowercaseLetters, toLower(first(taskHubName))) && empty(filter(range(0, length(taskHubName)), i => !contains(lowercaseLettersAndDigits, toLower(substring(taskHubName, i, 1)))))
var validTaskHubName = taskHubNameIsValid ? taskHubName : fail('taskHubName (TASKHUB_NAME) \'${taskHubName}\' must be 3-45 letters and digits, starting with a letter: no hyphens or other characters.')
// The app name becomes <name>.azurewebsites.net and part of the deployment container's name, which allows only
// lowercase letters, digits and single hyphens between them; an override is lowercased, then checked.
var appName = toLower(!empty(functionAppName) ? functionAppName : 'func-${resourceToken}')
var appNameIsValid = length(appName) >= 2 && !startsWith(appName, '-') && !endsWith(appName, '-') && !contains(appName, '--') && empty(filter(range(0, length(appName)), i => !contains('${lowercaseLettersAndDigits}-', substring(appName, i, 1))))
var validAppName = appNameIsValid ? appName : fail('functionAppName \'${functionAppName}\' must be 2-60 letters, digits and single hyphens, not starting or ending with a hyphen.')
// A 32-character prefix of the name may end in a hyphen; 31 characters then do not (no double hyphens).
var appNamePrefix = endsWith(take(validAppName, 32), '-') ? take(validAppName, 31) : take(validAppName, 32)
var deploymentContainerName = 'app-package-${appNamePrefix}-${take(toLower(uniqueString(validAppName, resourceToken)), 7)}'

// The Durable Task Scheduler is not offered in every Flex Consumption region. This list is the one Microsoft's
// durable quickstart allows since it moved to the scheduler (Azure-Samples/durable-functions-quickstart-typescript-
// azd, infra/main.bicep, April 2026), all of them in the location list above. The scheduler docs
// (learn.microsoft.com/azure/durable-task/scheduler/durable-task-scheduler, "Supported regions") say "most regions"
// and give the current list: az provider show --namespace Microsoft.DurableTask --query
// "resourceTypes[?resourceType=='schedulers'].locations | [0]" -o table; extend this one from it.
var durableTaskSchedulerRegions = [
  'australiaeast'
  'centralus'
  'eastasia'
  'eastus2'
  'northcentralus'
  'northeurope'
  'southeastasia'
  'swedencentral'
  'uksouth'
  'westus2'
]
var useDurableTaskScheduler = durableBackend == 'durableTaskScheduler'
var durableTaskSchedulerLocation = !useDurableTaskScheduler || contains(durableTaskSchedulerRegions, location)
  ? location
  : fail('The Durable Task Scheduler is not offered in \'${location}\' (infra/main.bicep durableTaskSchedulerRegions). Choose one of ${join(durableTaskSchedulerRegions, ', ')}, or DURABLE_BACKEND=azureStorage.')

// With the virtual network the site and its SCM endpoint answer only these addresses; without any, nobody could
// call or deploy the app, so the list is required then (0.0.0.0/0 is the explicit "open to all").
var allowedIpRangeList = filter(map(split(allowedIpRanges, ','), cidr => trim(cidr)), cidr => !empty(cidr))
var siteAllowedIpRanges = !vnetEnabled || !empty(allowedIpRangeList)
  ? allowedIpRangeList
  : fail('VNET_ENABLED=true closes the app and its SCM (deployment) endpoint to public traffic: set ALLOWED_IP_RANGES to the addresses you call and deploy from (CIDR, comma-separated; 0.0.0.0/0 for all). docs/deploy.md, "A first deployment inside a virtual network".')

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'app/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-${validAppName}'
    location: location
    tags: tags
  }
}

// Writes and reads the package, nothing else (rbac.bicep); the app's own identity may not write the package.
module deploymentIdentity 'app/identity.bicep' = {
  name: 'deployment-identity'
  scope: rg
  params: {
    name: 'id-deploy-${validAppName}'
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
    deploymentContainerName: storage.outputs.deploymentContainerName
    appPrincipalId: identity.outputs.principalId
    deploymentPrincipalId: deploymentIdentity.outputs.principalId
    taskHubName: validTaskHubName
    deployerPrincipalId: principalId
    deployerStorageAccess: principalStorageAccess
  }
}

// The Durable Task Scheduler backend (durableBackend); the app settings selecting it are in function-app.bicep.
module durableTaskScheduler 'app/durable-task-scheduler.bicep' = if (useDurableTaskScheduler) {
  name: 'durable-task-scheduler'
  scope: rg
  params: {
    name: 'dts-${resourceToken}'
    location: durableTaskSchedulerLocation
    tags: tags
    taskHubName: validTaskHubName
    skuName: durableTaskSchedulerSku
    appPrincipalId: identity.outputs.principalId
    deployerPrincipalId: principalId
    deployerAccess: principalSchedulerAccess
  }
}

module functionApp 'app/function-app.bicep' = {
  name: 'function-app'
  scope: rg
  // The host connects to storage (and the scheduler) with the identity as soon as the site exists; granting the
  // roles first avoids a start-up spell of 403s (role propagation can still take a few minutes). With the virtual
  // network, storage is reachable only through the private endpoints, so they come first too.
  dependsOn: [rbac, storagePrivateEndpoints, durableTaskScheduler]
  params: {
    name: validAppName
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    deploymentIdentityId: deploymentIdentity.outputs.id
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    nodeRuntimeVersion: nodeRuntimeVersion
    taskHubName: validTaskHubName
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    httpAuthLevel: httpAuthLevel
    // The ternary on the condition is how Microsoft's templates read a conditional module's output.
    virtualNetworkSubnetId: vnetEnabled ? network.outputs.appSubnetId : ''
    durableBackend: durableBackend
    durableTaskSchedulerEndpoint: useDurableTaskScheduler ? durableTaskScheduler.outputs.endpoint : ''
    restrictPublicAccess: vnetEnabled
    allowedIpRanges: siteAllowedIpRanges
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
output TASKHUB_NAME string = validTaskHubName
output HTTP_AUTH_LEVEL string = httpAuthLevel
output VNET_ENABLED bool = vnetEnabled
output DURABLE_BACKEND string = durableBackend
output DURABLE_TASK_SCHEDULER_NAME string = useDurableTaskScheduler ? durableTaskScheduler.outputs.name : ''
output DURABLE_TASK_SCHEDULER_ENDPOINT string = useDurableTaskScheduler ? durableTaskScheduler.outputs.endpoint : ''
output DURABLE_TASK_SCHEDULER_DASHBOARD_URL string = useDurableTaskScheduler ? durableTaskScheduler.outputs.dashboardUrl : ''
// Read by the postprovision hook (scripts/wait-for-deployment-role.mjs).
output DEPLOYMENT_ROLE_ASSIGNMENT_ID string = rbac.outputs.deploymentRoleAssignmentId
