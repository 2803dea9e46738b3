// @nangohq/node against connmock's Nango mount, used as its users use it.
import { Nango } from '@nangohq/node';
import { args, Outcomes } from './lib.mjs';

const a = args(); // {secretKey, integration, connectionId, endUser, canaries:{accessToken, refreshToken, raw}}
const host = `${a.baseUrl}/nango`;
const nango = new Nango({ host, secretKey: a.secretKey });
const out = new Outcomes();
const pck = a.integration;
const id = a.connectionId;

await out.run('createConnection', () => nango.http.post(`${host}/connections`, {
  provider_config_key: pck,
  connection_id: id,
  credentials: {
    type: 'OAUTH2',
    access_token: a.canaries.accessToken,
    refresh_token: a.canaries.refreshToken,
  },
  metadata: { team: 'sdk' },
  end_user: { id: a.endUser, email: 'sdk@example.com' },
  tags: { env: 'test' },
}, { headers: nango.enrichHeaders() }), (r) => ({ status: r.status, data: r.data }));
await out.run('getConnection', () => nango.getConnection(pck, id));
await out.run('getConnectionRefresh', () => nango.getConnection(pck, id, true, true));
await out.run('getToken', () => nango.getToken(pck, id));
await out.run('getRawTokenResponse', () => nango.getRawTokenResponse(pck, id));
await out.run('getMetadata', () => nango.getMetadata(pck, id));
await out.run('setMetadata', () => nango.setMetadata(pck, id, { team: 'set', plan: 'pro' }), (r) => ({ status: r.status, data: r.data }));
await out.run('updateMetadata', () => nango.updateMetadata(pck, [id], { plan: 'team' }), (r) => ({ status: r.status, data: r.data }));
await out.run('getMetadataAfterUpdate', () => nango.getMetadata(pck, id));
await out.run('setMetadataUnknown', () => nango.setMetadata(pck, 'no-such-connection', {}));
await out.run('listIntegrations', () => nango.listIntegrations());
await out.run('listConnections', () => nango.listConnections());
await out.run('listConnectionsOldSignature', () => nango.listConnections(id, id.slice(0, 6), { endUserId: a.endUser, limit: 10, page: 0 }));
await out.run('listConnectionsFilters', () => nango.listConnections({
  connectionId: id, userId: a.endUser, integrationId: [pck, 'other'], tags: { env: 'test' }, limit: 5, page: 0,
}));
await out.run('createConnectSession', () => nango.createConnectSession({
  end_user: { id: a.endUser, email: 'sdk@example.com', display_name: 'SDK' },
  organization: { id: 'org_sdk', display_name: 'SDK Org' },
  allowed_integrations: [pck],
}));
await out.run('createReconnectSession', () => nango.createReconnectSession({ connection_id: id, integration_id: pck }));
await out.run('deleteConnection', () => nango.deleteConnection(pck, id), (r) => ({ status: r.status, data: r.data }));
await out.run('getConnectionAfterDelete', () => nango.getConnection(pck, id));
await out.run('deleteConnectionAgain', () => nango.deleteConnection(pck, id), (r) => ({ status: r.status }));
await out.run('badKey', () => new Nango({ host, secretKey: 'not-a-key' }).listConnections());
out.print();
