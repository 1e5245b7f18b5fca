// Application Insights on a Log Analytics workspace, Entra ID only on both: DisableLocalAuth rejects the
// instrumentation key, so telemetry is accepted only from a principal holding Monitoring Metrics Publisher
// (the app's identity, through APPLICATIONINSIGHTS_AUTHENTICATION_STRING).
param logAnalyticsName string
param applicationInsightsName string
param location string
param tags object

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
    // No shared keys either: the workspace's keys (agents, the HTTP Data Collector API) are refused and only Entra ID
    // callers get in (properties.features.disableLocalAuth, Microsoft.OperationalInsights/workspaces since
    // 2020-10-01). Application Insights still ingests: the component takes telemetry on its own endpoint, with the
    // app identity's token (DisableLocalAuth below, Monitoring Metrics Publisher in rbac.bicep), and writes it to
    // the workspace itself; you query both with your own account.
    features: {
      disableLocalAuth: true
    }
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    IngestionMode: 'LogAnalytics'
    DisableLocalAuth: true
  }
}

output applicationInsightsName string = applicationInsights.name
// Not a secret: with local auth disabled the connection string alone cannot ingest anything.
output connectionString string = applicationInsights.properties.ConnectionString
