// The app's only credential: a user-assigned managed identity. User-assigned (not system-assigned) so the
// roles can be granted before the function app exists, and so the same id serves host storage, the
// deployment container and Application Insights.
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
