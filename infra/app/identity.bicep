// A user-assigned managed identity. main.bicep creates two: the app's (host storage, the task hub,
// Application Insights, the Durable Task Scheduler) and the deployment's (the package container only; see
// rbac.bicep). User-assigned (not system-assigned) so the roles can be granted before the function app exists.
param name string
param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
