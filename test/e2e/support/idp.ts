// The test IdP (compose-overlay/test-idp) on the host: Debian's SimpleSAMLphp with the
// overlay's own configuration files, started by the overlay's own start script.
import { join } from 'node:path';
import { idpRootfs } from './paths';
import { handToServiceUser } from './service-user';
import { ensureDir } from './sp';
import { httpGet } from './http-request';
import { ProcessGroup, waitFor } from './processes';

export interface IdpOptions {
  stateDir: string;
  port: number;
  /** e.g. https://idp.example.test:<port> (the browser maps *.example.test to 127.0.0.1). */
  baseUrl: string;
  secretSalt: string;
  spMetadataUrl: string;
  /** Process name (and log file) in the group; 'test-idp' unless a test runs a second IdP. */
  name?: string;
}

export interface RunningIdp {
  entityId: string;
  /** Where the SP fetches the metadata (127.0.0.1: the SP needs no name resolution). */
  metadataUrl: string;
  /** The IdP's own CA (PEM), which issued its TLS certificate: the SP's METADATA_TLS_CA. */
  tlsCa: string;
}

export async function startIdp(group: ProcessGroup, o: IdpOptions): Promise<RunningIdp> {
  ensureDir(o.stateDir);
  handToServiceUser(o.stateDir);
  const name = o.name ?? 'test-idp';
  group.start(name, join(idpRootfs, 'usr/local/bin/test-idp-start'), [], {
    asServiceUser: true,
    env: {
      PATH: process.env.PATH,
      TEST_IDP_BASE_URL: o.baseUrl,
      TEST_IDP_SECRET_SALT: o.secretSalt,
      TEST_IDP_SP_METADATA_URL: o.spMetadataUrl,
      TEST_IDP_STATE_DIR: o.stateDir,
      TEST_IDP_CONFIG_DIR: join(idpRootfs, 'etc/test-idp/simplesamlphp'),
      TEST_IDP_HTTPD_CONF: join(idpRootfs, 'etc/test-idp/httpd.conf'),
      TEST_IDP_LISTEN: `127.0.0.1:${o.port}`,
    },
  });
  const metadataUrl = `https://127.0.0.1:${o.port}/simplesaml/saml2/idp/metadata.php`;
  await waitFor('test IdP metadata', async () => {
    group.assertRunning(name);
    const res = await httpGet(metadataUrl);
    return res.status === 200 && res.body.includes('IDPSSODescriptor');
  });
  return { entityId: `${o.baseUrl}/simplesaml/saml2/idp/metadata.php`, metadataUrl, tlsCa: join(o.stateDir, 'tls/ca-cert.pem') };
}
