/** A live integration as GetIntegration(s) returns it, in the API's camelCase wire names. */
export interface LiveIntegration {
  integrationId: string;
  apiGatewayManaged?: boolean;
  integrationResponseSelectionExpression?: string;
  [field: string]: unknown;
}
