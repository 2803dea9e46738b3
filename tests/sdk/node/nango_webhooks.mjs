// @nangohq/node's own webhook checks on webhooks a connmock sent, as a backend runs them on what it receives.
//
// Input: {secretKey, webhookSigningKey?, hooks: [{body: <raw body string>, headers: {...}}]}
// Output: one result per hook: {incoming: verifyIncomingWebhookRequest(body, headers),
//                               legacy: verifyWebhookSignature(headers['X-Nango-Signature'], JSON.parse(body))}
import { Nango } from '@nangohq/node';
import { args } from './lib.mjs';

const a = args();
const nango = new Nango({ host: `${a.baseUrl}/nango`, secretKey: a.secretKey, webhookSigningKey: a.webhookSigningKey });
const results = a.hooks.map(({ body, headers }) => {
  const legacyName = Object.keys(headers).find((key) => key.toLowerCase() === 'x-nango-signature');
  return {
    incoming: nango.verifyIncomingWebhookRequest(body, headers),
    legacy: nango.verifyWebhookSignature(headers[legacyName], JSON.parse(body)),
  };
});
console.log(JSON.stringify(results));
