// The front listener bound by name (SIDECAR_HOST, as the compose overlay sets it): the kernel
// refuses a connection to any other address of the machine, as it does for a container on
// meet.jitsi, while the backend listener answers there; the health check's 127.0.0.1 stays.
// 127.0.0.2 plays the sidecar's address on saml2jwt-internal, 127.0.0.3 its address on meet.jitsi.
import { expect } from 'chai';
import { request } from 'node:http';
import { startSidecar, type SidecarServer } from '../../sidecar/src/http/sidecar-server';
import { createLogger } from '../../sidecar/src/log';
import { createMetrics } from '../../sidecar/src/metrics';
import { loadSettings } from '../../sidecar/src/settings';
import { testEnv } from '../support/config-fixture';

/** The status of GET /healthz, or the connection error's code. */
const healthz = (host: string, port: number): Promise<number | string> =>
  new Promise((resolve) => {
    const req = request({ host, port, path: '/healthz', timeout: 3000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    req.end();
  });

describe('http: the front listener bound by name (SIDECAR_HOST)', () => {
  let server: SidecarServer | undefined;
  afterEach(async () => server?.stop(1000));

  it('answers on its own address under the name and on 127.0.0.1 only; the backend answers where the front is refused', async () => {
    const { cfg, policy } = loadSettings(testEnv({ SIDECAR_HOST: 'saml2jwt-front.saml2jwt-internal', SIDECAR_PORT: '0', BACKEND_HOST: '127.0.0.3', BACKEND_PORT: '0' }));
    const lookedUp: string[] = [];
    server = await startSidecar(cfg, policy, createLogger('silent'), {
      metrics: createMetrics({ defaultMetrics: false }),
      frontAddressDeps: {
        // The alias lists both replicas; this one is 127.0.0.2.
        lookup: async (name) => (lookedUp.push(name), ['10.255.255.1', '127.0.0.2']),
        ownAddresses: () => ['127.0.0.1', '::1', '127.0.0.2', '127.0.0.3'],
      },
    });
    expect(lookedUp).to.deep.equal(['saml2jwt-front.saml2jwt-internal']);
    expect(server.frontAddresses).to.deep.equal(['127.0.0.2', '127.0.0.1']);
    expect(server.front.address).to.equal('127.0.0.2');
    const { port } = server.front;
    expect(await healthz('127.0.0.2', port), 'the SP, on saml2jwt-internal').to.equal(200);
    expect(await healthz('127.0.0.1', port), 'the health check').to.equal(200);
    expect(await healthz('127.0.0.3', port), 'a container on meet.jitsi').to.equal('ECONNREFUSED');
    expect(await healthz('127.0.0.3', server.backend.port), 'the backend (key server) on meet.jitsi').to.equal(200);
  });
});
