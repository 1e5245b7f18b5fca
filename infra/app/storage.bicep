// Host storage for the Functions runtime, the Durable task hub when durableBackend is azureStorage (tables, queues,
// blobs) and the app's own tables, plus the blob container Flex Consumption deploys the app package from. Entra ID
// only: no account keys, no public blobs.
param name string
param location string
param tags object
param deploymentContainerName string
@description('false: the account accepts no traffic from public networks, only through private endpoints (vnetEnabled).')
param publicNetworkAccess bool = true

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    // Account keys (and the SAS tokens signed with them) are refused: every caller, the app included,
    // must present an Entra ID token and hold a data role.
    allowSharedKeyAccess: false
    // Portal and CLI default to Entra ID, which is the only way in while keys are disabled.
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    // No hierarchical namespace: blob access is plain RBAC, no POSIX ACLs (see the role choice in rbac.bicep).
    isHnsEnabled: false
    dnsEndpointType: 'Standard'
    // With the virtual network the account is closed to public networks, trusted Azure services included, as in
    // Microsoft's Flex templates: the app reaches it through its private endpoints, and the Flex platform reads
    // the deployment package through the app's virtual network integration.
    publicNetworkAccess: publicNetworkAccess ? 'Enabled' : 'Disabled'
    networkAcls: publicNetworkAccess
      ? {
          defaultAction: 'Allow'
          bypass: 'AzureServices'
        }
      : {
          defaultAction: 'Deny'
          bypass: 'None'
        }
  }
}

// Soft delete for blobs and containers: a deleted (or overwritten) blob or a deleted container can be restored for
// this many days, by anyone holding a data role that may write it. It covers mistakes and a compromised writer:
// the deployment package (each deploy overwrites released-package.zip, so the previous one is kept), the function
// keys in azure-webjobs-secrets, the task hub's large payloads. The price is the storage of what was deleted or
// overwritten during the period (blob properties docs: deleteRetentionPolicy, containerDeleteRetentionPolicy).
var softDeleteRetentionDays = 7

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: softDeleteRetentionDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: softDeleteRetentionDays
    }
  }
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

output name string = storage.name
output deploymentContainerName string = deploymentContainer.name
output deploymentContainerUrl string = '${storage.properties.primaryEndpoints.blob}${deploymentContainer.name}'
