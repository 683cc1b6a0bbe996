import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkEntityId, checkMetadataUrl } from '../../../scripts/input-checks';
import { testIdp, testIdpDefaults } from '../../../scripts/test-idp';
import { realPackageRoot } from './checkout-fixture';

describe('scripts/test-idp: where setup --test-idp points the SP', () => {
  it('derives the entityID from TEST_IDP_BASE_URL, with or without a trailing slash', () => {
    expect(testIdp().entityId).to.equal('https://localhost:9443/simplesaml/saml2/idp/metadata.php');
    expect(testIdp('https://idp.test:7443/').entityId).to.equal('https://idp.test:7443/simplesaml/saml2/idp/metadata.php');
    expect(testIdp('https://idp.test:7443').metadataUrl).to.equal(testIdpDefaults.metadataUrl);
  });

  it('gives values that setup accepts', () => {
    const idp = testIdp();
    expect(checkMetadataUrl(idp.metadataUrl, false)).to.equal(idp.metadataUrl);
    expect(checkEntityId('IdP entityID', idp.entityId)).to.equal(idp.entityId);
  });

  it('agrees with compose-overlay/test-idp/README.md and the overlay defaults', () => {
    const readme = fs.readFileSync(path.join(realPackageRoot, 'compose-overlay', 'test-idp', 'README.md'), 'utf8');
    expect(readme).to.include(`METADATA_URL=${testIdp().metadataUrl}`);
    expect(readme).to.include(`SSO_URL=${testIdp().entityId}`);
    const overlay = fs.readFileSync(path.join(realPackageRoot, 'compose-overlay', 'saml2jwt.yml'), 'utf8');
    expect(overlay).to.include(`\${TEST_IDP_BASE_URL:-${testIdpDefaults.baseUrl}}`);
    // the SP sees the test IdP's CA folder where METADATA_TLS_CA points
    expect(path.dirname(testIdpDefaults.tlsCa)).to.equal('/etc/shibboleth/test-idp-ca');
    expect(overlay).to.include(`- \${CONFIG}/saml2jwt/test-idp-ca:${path.dirname(testIdpDefaults.tlsCa)}:ro`);
    expect(readme).to.include(`METADATA_TLS_CA=${testIdpDefaults.tlsCa}`);
    const spReadme = fs.readFileSync(path.join(realPackageRoot, 'shib-image', 'README.md'), 'utf8');
    expect(spReadme).to.include(`\`${testIdpDefaults.tlsCa}\``);
  });
});
