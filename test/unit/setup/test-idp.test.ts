import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkEntityId, checkMetadataUrl } from '../../../scripts/input-checks';
import { testIdp, testIdpFallback } from '../../../scripts/test-idp';
import { realPackageRoot } from './checkout-fixture';

describe('scripts/test-idp: where setup --test-idp points the SP', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'saml2jwt-testidp-'));
    fs.mkdirSync(path.join(root, 'compose-overlay', 'test-idp'), { recursive: true });
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('reads METADATA_URL= and SSO_URL= from compose-overlay/test-idp/README.md', () => {
    fs.writeFileSync(
      path.join(root, 'compose-overlay', 'test-idp', 'README.md'),
      '# Test IdP\n\n```\nMETADATA_URL=https://test-idp.meet.jitsi:8443/md.php\nSSO_URL=https://localhost:9443/idp\n```\n',
    );
    expect(testIdp(root)).to.include({ metadataUrl: 'https://test-idp.meet.jitsi:8443/md.php', entityId: 'https://localhost:9443/idp' });
    // an operator-chosen TEST_IDP_BASE_URL moves the browser-facing entityID with it
    expect(testIdp(root, 'https://idp.test:7443/').entityId).to.equal('https://idp.test:7443/idp');
  });

  it('falls back to the one built-in constant, following TEST_IDP_BASE_URL', () => {
    expect(testIdp(root)).to.include({ metadataUrl: testIdpFallback.metadataUrl, entityId: testIdpFallback.entityId });
    expect(testIdp(root).source).to.include('not found');
    expect(testIdp(root, 'https://idp.test:7443').entityId).to.equal('https://idp.test:7443/simplesaml/saml2/idp/metadata.php');
  });

  it('gives values from this package that setup accepts', () => {
    const idp = testIdp(realPackageRoot);
    expect(checkMetadataUrl(idp.metadataUrl, false)).to.equal(idp.metadataUrl);
    expect(checkEntityId('IdP entityID', idp.entityId)).to.equal(idp.entityId);
  });
});
