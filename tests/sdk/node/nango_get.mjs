// @nangohq/node's getConnection for one connection (what an app's backend does after the browser flow).
import { Nango } from '@nangohq/node';
import { args, Outcomes } from './lib.mjs';

const a = args(); // {secretKey, integration, connectionId}
const nango = new Nango({ host: `${a.baseUrl}/nango`, secretKey: a.secretKey });
const out = new Outcomes();
await out.run('getConnection', () => nango.getConnection(a.integration, a.connectionId));
await out.run('listConnections', () => nango.listConnections());
out.print();
