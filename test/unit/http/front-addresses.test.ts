// Where the front listener binds: SIDECAR_HOST as an address, or a name whose own addresses are
// this machine's (the overlay's alias on saml2jwt-internal), with replicas and restarts.
import { expect } from 'chai';
import { frontAddresses } from '../../../sidecar/src/http/front-addresses';

const own = (...addresses: string[]) => () => ['127.0.0.1', '::1', ...addresses];

describe('http/front-addresses: SIDECAR_HOST', () => {
  it('an address is used as given, without a lookup', async () => {
    const lookup = async (): Promise<string[]> => expect.fail('no lookup for an address');
    expect(await frontAddresses('0.0.0.0', { lookup })).to.deep.equal(['0.0.0.0']);
    expect(await frontAddresses('127.0.0.1', { lookup })).to.deep.equal(['127.0.0.1']);
    expect(await frontAddresses('::', { lookup })).to.deep.equal(['::']);
  });

  it('a name: its address that is this container\'s own (not the other replicas\', not the meet.jitsi one), then 127.0.0.1', async () => {
    // This replica is 172.20.0.3 on saml2jwt-internal and 172.18.0.7 on meet.jitsi; the alias lists both replicas.
    const lookup = async (name: string): Promise<string[]> => (name === 'saml2jwt-front.saml2jwt-internal' ? ['172.20.0.4', '172.20.0.3'] : []);
    expect(await frontAddresses('saml2jwt-front.saml2jwt-internal', { lookup, ownAddresses: own('172.20.0.3', '172.18.0.7') })).to.deep.equal(['172.20.0.3', '127.0.0.1']);
    // A name of loopback itself: no second 127.0.0.1.
    expect(await frontAddresses('localhost', { lookup: async () => ['127.0.0.1'], ownAddresses: own() })).to.deep.equal(['127.0.0.1']);
  });

  it('waits while the name does not list this container yet (Docker registering it as the container starts)', async () => {
    let asked = 0;
    const lookup = async (): Promise<string[]> => (++asked < 3 ? ['172.20.0.4'] : ['172.20.0.4', '172.20.0.9']);
    expect(await frontAddresses('saml2jwt-front.saml2jwt-internal', { lookup, ownAddresses: own('172.20.0.9'), waitMs: 5000 })).to.deep.equal(['172.20.0.9', '127.0.0.1']);
    expect(asked).to.equal(3);
  });

  it('refuses to start, saying why, when the name never gives an own address or cannot be looked up', async () => {
    const started = Date.now();
    const notMine = frontAddresses('saml2jwt-front.saml2jwt-internal', { lookup: async () => ['172.20.0.4'], ownAddresses: own('172.18.0.7'), waitMs: 600 });
    await expectRejection(notMine, /^SIDECAR_HOST=saml2jwt-front\.saml2jwt-internal names 172\.20\.0\.4, none of them this machine's: give an address, or a name of this machine/);
    expect(Date.now() - started).to.be.within(500, 3000);
    const missing = Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    await expectRejection(frontAddresses('nowhere.invalid', { lookup: async () => Promise.reject(missing), waitMs: 0 }), /^SIDECAR_HOST=nowhere\.invalid cannot be looked up \(ENOTFOUND\)/);
  });
});

async function expectRejection(promise: Promise<unknown>, message: RegExp): Promise<void> {
  try {
    await promise;
  } catch (err) {
    expect((err as Error).message).to.match(message);
    return;
  }
  expect.fail('expected a rejection');
}
