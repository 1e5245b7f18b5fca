// Least-privilege role assignments. Every role is scoped to the one resource it is about (the storage
// account, the deployment container or the Application Insights component), never to the resource group or
// subscription. The Durable Task Scheduler's roles are in durable-task-scheduler.bicep.
param storageAccountName string
param applicationInsightsName string
@description('Blob container Flex Consumption deploys the package from.')
param deploymentContainerName string
@description('Principal id of the function app\'s user-assigned identity.')
param appPrincipalId string
@description('Principal id of the deployment identity (functionAppConfig.deployment.storage.authentication).')
param deploymentPrincipalId string
@description('Task hub name: the deployer\'s read access to blobs is limited to its containers.')
param taskHubName string
@description('Principal id of the person running azd; empty grants nothing.')
param deployerPrincipalId string = ''
@description('none: no data access. read: watch the task hub. readWrite: also run the devhost against it with your own identity.')
@allowed(['none', 'read', 'readWrite'])
param deployerStorageAccess string = 'read'

// Built-in role definition ids (stable across tenants).
var roles = {
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
  storageQueueDataReader: '19e7f393-937e-4f77-808e-94535e297925'
  storageTableDataReader: '76199698-9eea-4c19-bc75-cec21354c6b6'
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource deploymentContainer 'containers' existing = {
      name: deploymentContainerName
    }
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// Blobs: Storage Blob Data Contributor, not Owner. The host, the Durable extension and the Flex platform
// read, write and delete blobs, create containers and take blob leases: azure-webjobs-hosts (host id
// locks), azure-webjobs-secrets (function keys) and, with the Azure Storage backend, <hub>-leases /
// <hub>-applease (partition and app leases) and <hub>-largemessages (payloads over the queue/table limits).
// Contributor covers all of that, leases included, and is the blob role the Durable docs list as enough
// (MicrosoftDocs azure-docs, includes/functions-durable-permissions.md).
// Owner is wider than that, not only by POSIX ACLs: its role definition grants every blob data action
// (blobs/*) and every container action (containers/*), so besides ACL management and the ACL super-user right
// (modifyPermissions, manageOwnership, runAsSuperUser) it adds blob index tags, deleting blob versions,
// permanently deleting soft-deleted blobs, container immutability policies and legal holds, and any blob
// permission Azure adds later. Nothing here uses those, so the app does not get them. The Functions docs and
// the quickstart grant Owner; Azure CLI's own Flex setup grants Contributor for deployment storage. If a
// future host feature ever needs more, it fails loudly with 403.
//
// One exception, by a role condition (Azure ABAC for Blob Storage, conditionVersion 2.0): the app's identity
// may not write, append to or delete blobs in the deployment container (there is no rename: no hierarchical
// namespace). The package is written by
// the platform with the separate deployment identity (deploymentBlobData below), so a bug or an injection in
// the app's own storage code cannot replace the code that runs. The limit of this: the deployment identity is
// attached to the same site (Flex reads the package with it), and code running in the app can ask the site's
// identity endpoint for a token of any identity attached to it; docs/deploy.md, "Security", says so.
var deploymentContainerWriteActions = [
  'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write'
  'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action'
  'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete'
]
var notDeploymentContainerWrite = join(map(deploymentContainerWriteActions, action => '!(ActionMatches{\'${action}\'})'), ' AND ')
var appBlobCondition = '((${notDeploymentContainerWrite}) OR (@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringNotEquals \'${deploymentContainerName}\'))'

resource appBlobData 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appPrincipalId, roles.storageBlobDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    condition: appBlobCondition
    conditionVersion: '2.0'
  }
}

// The deployment identity: Storage Blob Data Contributor on the deployment container alone (the platform writes
// released-package.zip there on `azd deploy` and reads it when an instance starts), nothing on the account.
// scripts/wait-for-deployment-role.mjs (the azd postprovision hook) waits on this assignment after a first
// provisioning, so the first deploy does not meet a role that has not propagated yet (Azure/azure-dev #8026).
resource deploymentBlobData 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::blobService::deploymentContainer.id, deploymentPrincipalId, roles.storageBlobDataContributor)
  scope: storage::blobService::deploymentContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: deploymentPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Queues: the task hub's control queues (<hub>-control-NN) and work-item queue (<hub>-workitems) are
// created, read, written and deleted from by the Durable extension. Queue Data Contributor is the
// smallest role with create + message send/receive/delete (Message Processor cannot send or create queues,
// Message Sender cannot receive).
resource appQueueData 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appPrincipalId, roles.storageQueueDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Tables: <Hub>Instances, <Hub>History and <Hub>Partitions (table partition management) are created and
// written by the Durable extension, and the app's own OrdersLedger / OrdersTestGateway by the app (docs/api.md).
// There is no narrower role that can create tables and write entities.
resource appTableData 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appPrincipalId, roles.storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Application Insights with DisableLocalAuth accepts telemetry only from principals holding Monitoring
// Metrics Publisher on the component; it grants ingestion and nothing else (no reading of telemetry).
resource appTelemetry 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, appPrincipalId, roles.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The deployer (the person running azd). `read` (the default) is enough to watch the task hub in the portal,
// Storage Explorer or az with --auth-mode login, the only way in while account keys are off: Queue and Table
// Data Reader on the account (control and work-item queues, Instances/History tables, the app's ledger), and Blob
// Data Reader limited by a condition to the task hub's containers (<hub>-largemessages, -leases, -applease), so
// it does not read function keys (azure-webjobs-secrets), host locks or the deployment package. Readers cannot
// change state, so looking never disturbs running orchestrations; the tables still hold orders' inputs and
// outputs, so `none` grants nothing. `readWrite` is the three Data Contributor roles, the data rights the app
// has, for running the devhost against this account with your own Entra ID identity (docs/deploy.md).
// principalType is left out because the deployer may be a user or a CI service principal.
var taskHubContainersOnly = '((!(ActionMatches{\'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read\'})) OR (@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringStartsWith \'${toLower(taskHubName)}-\'))'
var deployerReadRoles = [
  { id: roles.storageBlobDataReader, condition: taskHubContainersOnly }
  { id: roles.storageQueueDataReader, condition: '' }
  { id: roles.storageTableDataReader, condition: '' }
]
var deployerWriteRoles = [
  { id: roles.storageBlobDataContributor, condition: '' }
  { id: roles.storageQueueDataContributor, condition: '' }
  { id: roles.storageTableDataContributor, condition: '' }
]
var deployerRoles = deployerStorageAccess == 'readWrite'
  ? deployerWriteRoles
  : deployerStorageAccess == 'read' ? deployerReadRoles : []

resource deployerData 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in deployerRoles: if (!empty(deployerPrincipalId)) {
    // The same name as before the condition existed, so a re-provisioned deployment updates its Blob Data Reader
    // assignment in place (a condition may change; principal, role and scope may not).
    name: guid(storage.id, deployerPrincipalId, role.id)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.id)
      principalId: deployerPrincipalId
      condition: empty(role.condition) ? null : role.condition
      conditionVersion: empty(role.condition) ? null : '2.0'
    }
  }
]

output deploymentRoleAssignmentId string = deploymentBlobData.id
