import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Identity } from '../../../sidecar/src/identity/identity';
import { silentLogger } from '../../../sidecar/src/log';
import { checkPrivateRoom } from '../../../sidecar/src/policy/check-private-room';
import { generateId } from '../../../sidecar/src/policy/private-room';
import { parseRoom } from '../../../sidecar/src/meeting/room';
import { Refusal } from '../../../sidecar/src/refusal';
import { testConfig } from '../../support/config-fixture';

// Ownership keys to the scoped id (here eppn), never to the mail: any IdP may assert any mail.
const owner: Identity = { userId: 'o', mail: 'owner@uni.example', name: 'Owner', attributes: { mail: ['owner@uni.example'] }, ownerId: 'o-1@uni.example' };
const guest: Identity = { userId: 'g', mail: 'guest@uni.example', name: 'Guest', attributes: { mail: ['guest@uni.example'] }, ownerId: 'g-1@uni.example' };
const room = `team__${generateId('teamo-1@uni.example', 12)}_0a1b2c-3d4e5f-6a7b8c`;
/** A room named the reference's way, from the owner's mail. */
const mailRoom = `team__${generateId('teamowner@uni.example', 12)}_0a1b2c-3d4e5f-6a7b8c`;

describe('policy/check-private-room', () => {
  let server: http.Server;
  let requests: number;
  let listed: string[];

  beforeEach(async () => {
    requests = 0;
    listed = [];
    server = http.createServer((_req, res) => {
      requests++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ conferences: Object.fromEntries(listed.map((r) => [`${r}@muc.meet.jitsi`, {}])) }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const advanced = () => testConfig({ JWT_TOKEN_MODE: 'advanced', JICOFO_ROOM_ENDPOINTS: `127.0.0.1:${(server.address() as AddressInfo).port}` });

  async function refusalOf(work: Promise<void>): Promise<Refusal> {
    try {
      await work;
    } catch (err) {
      expect(err).to.be.instanceOf(Refusal);
      return err as Refusal;
    }
    return expect.fail('expected a Refusal');
  }

  it('does nothing in default mode', async () => {
    const cfg = testConfig({ JICOFO_ROOM_ENDPOINTS: `127.0.0.1:${(server.address() as AddressInfo).port}` });
    await checkPrivateRoom(cfg, guest, parseRoom(room), 'private', silentLogger);
    expect(requests).to.equal(0);
  });

  it('does nothing outside private tenants', async () => {
    await checkPrivateRoom(advanced(), guest, parseRoom(room), 'acme', silentLogger);
    await checkPrivateRoom(advanced(), guest, parseRoom(room), undefined, silentLogger);
    expect(requests).to.equal(0);
  });

  it('the owner passes without asking Jicofo', async () => {
    await checkPrivateRoom(advanced(), owner, parseRoom(room), 'private', silentLogger);
    expect(requests).to.equal(0);
  });

  it('a room named from a mail grants no ownership, even to the holder of that mail (asserted by any IdP)', async () => {
    const r = await refusalOf(checkPrivateRoom(advanced(), owner, parseRoom(mailRoom), 'private', silentLogger));
    expect([r.kind, r.reason]).to.deep.equal(['forbidden', 'private_room']);
    listed = [`[private]${mailRoom}`];
    await checkPrivateRoom(advanced(), owner, parseRoom(mailRoom), 'private', silentLogger); // but it can be joined once started
  });

  it('a user without a scoped id owns no private room', async () => {
    const { ownerId: _, ...noScopedId } = owner;
    const r = await refusalOf(checkPrivateRoom(advanced(), noScopedId, parseRoom(room), 'private', silentLogger));
    expect(r.reason).to.equal('private_room');
  });

  it('others are refused while the room has not started', async () => {
    const r = await refusalOf(checkPrivateRoom(advanced(), guest, parseRoom(room), 'private', silentLogger));
    expect([r.kind, r.reason]).to.deep.equal(['forbidden', 'private_room']);
    expect(requests).to.equal(1);
  });

  it('others pass once Jicofo lists [tenant]room', async () => {
    listed = [`[private]${room}`];
    await checkPrivateRoom(advanced(), guest, parseRoom(room), 'private', silentLogger);
    expect(requests).to.equal(1);
  });

  it('fails closed when Jicofo is unreachable', async () => {
    const cfg = advanced();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server = http.createServer().listen(0, '127.0.0.1'); // so afterEach has something to close
    const r = await refusalOf(checkPrivateRoom(cfg, guest, parseRoom(room), 'private', silentLogger));
    expect([r.kind, r.reason]).to.deep.equal(['unavailable', 'jicofo_unreachable']);
  });
});
