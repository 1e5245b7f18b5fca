// The Durable Task Scheduler backend (main.bicep durableBackend = durableTaskScheduler): a scheduler, one task
// hub, and the roles on that task hub. Resource types, API version, properties and the role follow Microsoft's
// durable quickstart since its move to the scheduler (Azure-Samples/durable-functions-quickstart-typescript-azd,
// infra/app/dts.bicep and dts-Access.bicep, April 2026) and the resource reference
// (learn.microsoft.com/azure/templates/microsoft.durabletask/2026-02-01/schedulers and .../schedulers/taskhubs:
// name pattern ^[a-zA-Z0-9-]{3,64}$, properties.ipAllowlist required, sku.name Consumption or Dedicated).
// The Functions side (app settings selecting the `azureManaged` provider) is in function-app.bicep.
param name string
param location string
param tags object
@description('Task hub name; host.json hubName (%TASKHUB_NAME%) names the same hub.')
param taskHubName string
@allowed(['Consumption', 'Dedicated'])
param skuName string
@description('Principal id of the function app\'s identity: Durable Task Data Contributor on the task hub.')
param appPrincipalId string
@description('Principal id of the person running azd; empty grants nothing.')
param deployerPrincipalId string = ''
@description('The deployer\'s access to the task hub (the dashboard): none, read or readWrite.')
@allowed(['none', 'read', 'readWrite'])
param deployerAccess string = 'none'

// Built-in role definition ids (learn.microsoft.com/azure/role-based-access-control/built-in-roles, "Durable Task
// Data Contributor": dataActions Microsoft.DurableTask/*; "Durable Task Data Reader": orchestrations/read and
// orchestrations/metadata/read). The contributor id is the one the quickstart assigns (main.bicep dtsRoleDefinitionId).
var roles = {
  durableTaskDataContributor: '0ad04412-c4d5-4796-b79c-f76d14c8d402'
  durableTaskDataReader: 'd6a5505f-6ebb-45a4-896e-ac8274cfc0ac'
}

resource scheduler 'Microsoft.DurableTask/schedulers@2026-02-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    // Required, and an empty list refuses every caller. The app's outbound addresses are not fixed on Flex
    // Consumption, so the scheduler accepts any address and relies on Entra ID (the role below), as the
    // quickstart does; docs/deploy.md, "Choosing the Durable backend", says what a private scheduler takes.
    ipAllowlist: ['0.0.0.0/0']
    // Consumption bills per action and needs no capacity; Dedicated bills reserved capacity units (1 here).
    sku: skuName == 'Dedicated' ? { name: 'Dedicated', capacity: 1 } : { name: 'Consumption' }
  }
}

resource taskHub 'Microsoft.DurableTask/schedulers/taskHubs@2026-02-01' = {
  parent: scheduler
  name: taskHubName
}

// Durable Task Data Contributor, the role the scheduler's identity docs say most Durable Functions apps need
// (the app is both worker and client: it starts orchestrations and reads their status). Scoped to the task hub,
// which the docs allow as well as the scheduler (the quickstart grants it on the scheduler): this identity can
// reach no other hub the scheduler may hold later.
resource appTaskHubData 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(taskHub.id, appPrincipalId, roles.durableTaskDataContributor)
  scope: taskHub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.durableTaskDataContributor)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The dashboard (https://dashboard.durabletask.io, or the task hub in the portal) signs you in with your own
// identity. Opt-in: read is Durable Task Data Reader (list and inspect orchestrations); readWrite is Durable Task
// Data Contributor, the role the dashboard documentation names, which also pauses, terminates and raises events.
var deployerRole = deployerAccess == 'readWrite' ? roles.durableTaskDataContributor : roles.durableTaskDataReader

resource deployerTaskHubData 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId) && deployerAccess != 'none') {
  name: guid(taskHub.id, deployerPrincipalId, deployerRole)
  scope: taskHub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', deployerRole)
    principalId: deployerPrincipalId
  }
}

output name string = scheduler.name
output endpoint string = scheduler.properties.endpoint
output taskHubName string = taskHub.name
// The dashboard address the scheduler docs give: https://dashboard.durabletask.io/?endpoint=<endpoint>&taskhub=<hub>.
output dashboardUrl string = 'https://dashboard.durabletask.io/?endpoint=${uriComponent(scheduler.properties.endpoint)}&taskhub=${taskHub.name}'
