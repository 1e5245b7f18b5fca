// The virtual network for the optional private deployment (main.bicep vnetEnabled): one subnet the function app
// integrates into for its outbound traffic, one for the storage account's private endpoints. Layout after
// Microsoft's Flex templates (Azure-Samples/functions-quickstart-javascript-azd, infra/app/vnet.bicep).
param name string
param location string
param tags object

var appSubnetName = 'app'
var privateEndpointSubnetName = 'private-endpoints'

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: ['10.0.0.0/16']
    }
    subnets: [
      {
        name: privateEndpointSubnetName
        properties: {
          // Three endpoints (blob, queue, table); a /28 has 11 usable addresses.
          addressPrefix: '10.0.1.0/28'
          privateEndpointNetworkPolicies: 'Disabled'
          privateLinkServiceNetworkPolicies: 'Enabled'
        }
      }
      {
        name: appSubnetName
        properties: {
          // Scaled-out instances draw their outbound addresses from this subnet, so it is sized for scale
          // (251 usable addresses) rather than the templates' /26. Raise it if maximumInstanceCount goes past that.
          addressPrefix: '10.0.2.0/24'
          // The delegation Flex Consumption integration needs (flex-consumption-plan.md, "Considerations"); the
          // subscription must have the Microsoft.App resource provider registered.
          delegations: [
            {
              name: 'flex-consumption'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
          privateEndpointNetworkPolicies: 'Disabled'
          privateLinkServiceNetworkPolicies: 'Enabled'
        }
      }
    ]
  }

  resource appSubnet 'subnets' existing = {
    name: appSubnetName
  }

  resource privateEndpointSubnet 'subnets' existing = {
    name: privateEndpointSubnetName
  }
}

output name string = vnet.name
output appSubnetId string = vnet::appSubnet.id
output privateEndpointSubnetName string = vnet::privateEndpointSubnet.name
