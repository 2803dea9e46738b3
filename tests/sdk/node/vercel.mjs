// @vercel/sdk (one installed alias per version) against connmock's Vercel mount: every Connect operation
// the version has, success and error paths.
import { args, Outcomes } from './lib.mjs';

const a = args(); // {version, token, teamId, suffix, canaries:{clientSecret, signingSecret, apiKey, accessToken, refreshToken}}
const { Vercel } = await import(`vercel-sdk-${a.version}`);
const serverURL = `${a.baseUrl}/vercel`;
const vercel = new Vercel({ bearerToken: a.token, serverURL });
const connect = vercel.connect;
const has = (name) => typeof connect[name] === 'function';
const out = new Outcomes();
const c = a.canaries;
const slackUid = `slack/sdk-${a.suffix}`;
const keyUid = `api-key/sdk-${a.suffix}`;
const slack = {
  type: 'slack', service: 'slack', uid: slackUid, name: `sdk-${a.suffix}`, projectId: 'prj_sdk',
  environments: ['production'],
  data: { appId: 'A0SDK', appName: 'SDK Bot', clientId: '1.2', clientSecret: c.clientSecret, signingSecret: c.signingSecret },
};
const apiKey = {
  type: 'api-key', service: 'api.example.com', uid: keyUid, name: `key-${a.suffix}`,
  data: { values: [{ value: c.apiKey, scope: 'read' }] },
};
// The first generation takes the body itself; 1.28.24+ wraps it and takes teamId/slug beside it.
const newShape = has('getConnector');
const create = (body, team = {}) => connect.createConnector(newShape ? { ...team, connectCreateConnectorRequest: body } : body);
const connector = (r) => ({ id: r.id, uid: r.uid, type: r.type, name: r.name, displayName: r.displayName, data: r.data,
  supportsIcon: r.supportsIcon, supportedSubjectTypes: r.supportedSubjectTypes, ownerId: r.ownerId, createdAt: r.createdAt });

const created = await out.run('createConnector', () => create(slack), connector);
await out.run('createConnectorDuplicateUid', () => create(slack), connector);
await out.run('createConnectorApiKey', () => create(apiKey), connector);
await out.run('createConnectorBadToken', () => new Vercel({ bearerToken: 'vct_not_a_token', serverURL }).connect.createConnector(
  newShape ? { connectCreateConnectorRequest: { ...slack, uid: `${slackUid}-x` } } : { ...slack, uid: `${slackUid}-x` }));

if (has('createConnectorAuthorizationRequest')) {
  await out.run('createConnectorAuthorizationRequest', () => connect.createConnectorAuthorizationRequest({
    connector: slackUid, requestBody: { subject: { type: 'user', id: 'u_sdk' }, scopes: ['chat:write'], returnUrl: 'http://127.0.0.1/done' },
  }));
  await out.run('createConnectorAuthorizationRequestUnknown', () => connect.createConnectorAuthorizationRequest({
    connector: 'slack/nope', requestBody: { subject: { type: 'user', id: 'u_sdk' } },
  }));
}
if (has('getConnectorToken')) {
  await out.run('getConnectorToken', () => connect.getConnectorToken({ connector: keyUid, requestBody: { subject: { type: 'app' } } }));
  await out.run('getConnectorTokenBeforeConsent', () => connect.getConnectorToken({
    connector: slackUid, requestBody: { subject: { type: 'user', id: 'u_sdk' } },
  }));
}
if (has('createConnectorInstallationRequest')) {
  await out.run('createConnectorInstallationRequest', () => connect.createConnectorInstallationRequest({
    connector: slackUid, requestBody: { scopes: ['chat:write'], returnUrl: 'http://127.0.0.1/done' },
  }));
}
if (has('importConnectorTokens')) {
  await out.run('importConnectorTokens', () => connect.importConnectorTokens({
    connector: slackUid,
    requestBody: { tokens: [{ accessToken: c.accessToken, refreshToken: c.refreshToken, expiresAt: Date.now() + 3600_000,
      subject: { type: 'user', id: 'u_sdk' }, environment: 'production', scopes: ['chat:write'] }] },
  }));
  await out.run('importConnectorTokensUnknown', () => connect.importConnectorTokens({
    connector: 'slack/nope', requestBody: { tokens: [{ accessToken: 'x', expiresAt: Date.now() + 1000, subject: { type: 'app' }, environment: 'production' }] },
  }));
}
if (newShape) {
  const team = { teamId: a.teamId };
  await out.run('createConnectorPreset', () => create({ data: {}, service: 'slack', connectionMethod: 'slack-app',
    uid: `slack/preset-${a.suffix}` }, team), connector);
  await out.run('getConnector', () => connect.getConnector({ connector: slackUid, ...team }), connector);
  await out.run('getConnectorById', () => connect.getConnector({ connector: created?.id ?? 'scl_missing' }), connector);
  await out.run('listConnectors', () => connect.listConnectors({ limit: 1, ...team }),
    (r) => ({ uids: r.connectors.map((x) => x.uid), next: r.pagination?.next ?? null }));
  await out.run('listConnectorsFiltered', () => connect.listConnectors({ type: 'slack', search: `sdk-${a.suffix}`, sort: 'name' }),
    (r) => ({ uids: r.connectors.map((x) => x.uid), next: r.pagination?.next ?? null }));
  await out.run('updateConnector', () => connect.updateConnector({
    connector: slackUid, ...team, connectUpdateConnectorRequest: { name: `renamed-${a.suffix}`, events: ['message'] },
  }), (r) => connector(r.connector));
  await out.run('updateConnectorUnknown', () => connect.updateConnector({
    connector: 'slack/nope', connectUpdateConnectorRequest: { name: 'x' },
  }), (r) => connector(r.connector));
  await out.run('deleteConnector', () => connect.deleteConnector({ connector: slackUid, ...team }));
  await out.run('getConnectorAfterDelete', () => connect.getConnector({ connector: slackUid }), connector);
  await out.run('deleteConnectorAgain', () => connect.deleteConnector({ connector: slackUid }));
}
out.print();
