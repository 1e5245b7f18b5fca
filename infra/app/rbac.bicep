// Least-privilege role assignments. Every role is scoped to the one resource it is about (the storage
// account or the Application Insights component), never to the resource group or subscription.
param storageAccountName string
param applicationInsightsName string
@description('Principal id of the function app\'s user-assigned identity.')
param appPrincipalId string
@description('Principal id of the person running azd; empty grants nothing.')
param deployerPrincipalId string = ''
@description('read: watch the task hub. readWrite: also run the devhost against it with your own identity.')
@allowed(['read', 'readWrite'])
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
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// Blobs: Storage Blob Data Contributor, not Owner. The host, the Durable extension and the Flex platform
// read, write and delete blobs, create containers and take blob leases: azure-webjobs-hosts (host id
// locks), azure-webjobs-secrets (function keys), <hub>-leases / <hub>-applease (partition and app leases),
// <hub>-largemessages (payloads over the queue/table limits) and the deployment container (the package).
// Contributor covers all of that, leases included, and is the blob role the Durable docs list as enough
// (MicrosoftDocs azure-docs, includes/functions-durable-permissions.md).
// Owner is wider than that, not only by POSIX ACLs: its role definition grants every blob data action
// (blobs/*) and every container action (containers/*), so besides ACL management and the ACL super-user right
// (modifyPermissions, manageOwnership, runAsSuperUser) it adds blob index tags, deleting blob versions,
// permanently deleting soft-deleted blobs, container immutability policies and legal holds, and any blob
// permission Azure adds later. Nothing here uses those, so the app does not get them. The Functions docs and
// the quickstart grant Owner; Azure CLI's own Flex setup grants Contributor for deployment storage. If a
// future host feature ever needs more, it fails loudly with 403.
resource appBlobData 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appPrincipalId, roles.storageBlobDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: appPrincipalId
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

// The deployer (the person running azd), one assignment per storage service. `read` (the default) is the
// three Data Reader roles: enough to watch the task hub (Instances/History tables, peeking at control and
// work-item queues, large-message blobs) in the portal, Storage Explorer or az with --auth-mode login,
// which is the only way in while account keys are off; readers cannot change state, so looking never
// disturbs running orchestrations. `readWrite` is the three Data Contributor roles, the same data rights
// the app has, for running the devhost against this account with your own Entra ID identity
// (docs/deploy.md). principalType is left out because the deployer may be a user or a CI service principal.
var deployerReadRoles = [roles.storageBlobDataReader, roles.storageQueueDataReader, roles.storageTableDataReader]
var deployerWriteRoles = [roles.storageBlobDataContributor, roles.storageQueueDataContributor, roles.storageTableDataContributor]
var deployerRoles = deployerStorageAccess == 'readWrite' ? deployerWriteRoles : deployerReadRoles

resource deployerData 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in deployerRoles: if (!empty(deployerPrincipalId)) {
    name: guid(storage.id, deployerPrincipalId, role)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
      principalId: deployerPrincipalId
    }
  }
]
