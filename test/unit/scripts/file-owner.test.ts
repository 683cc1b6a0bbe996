// scripts/file-owner: who gets the files that hold secrets.
import { expect } from 'chai';
import { invokingUser, privateAccess } from '../../../scripts/file-owner';

describe('scripts/file-owner: the invoking user', () => {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;

  it('is the process\'s own user without sudo', () => {
    const owner = invokingUser({});
    expect([owner.uid, owner.gid]).to.deep.equal([uid, gid]);
    expect(privateAccess(owner)).to.deep.equal({ mode: 0o600, uid, gid });
  });

  it('is the user sudo names, when root runs under sudo; malformed ids are ignored', function () {
    if (uid !== 0) {
      // A non-root process cannot give files away, so SUDO_* mean nothing to it.
      expect(invokingUser({ SUDO_UID: '1000', SUDO_GID: '1000' }).uid).to.equal(uid);
      return;
    }
    expect(invokingUser({ SUDO_UID: '1000', SUDO_GID: '1001', SUDO_USER: 'alice' })).to.deep.equal({ uid: 1000, gid: 1001, name: 'alice' });
    expect(invokingUser({ SUDO_UID: '1000', SUDO_GID: '1001' }).name).to.equal('uid 1000');
    // root without sudo keeps a user's .env with that user; a root-owned one stays root's
    expect(invokingUser({}, { uid: 1000, gid: 1000 })).to.deep.include({ uid: 1000, gid: 1000 });
    expect(invokingUser({}, { uid: 0, gid: 0 })).to.deep.include({ uid: 0, gid: 0 });
    expect(invokingUser({ SUDO_UID: '1001', SUDO_GID: '1001' }, { uid: 1000, gid: 1000 }).uid).to.equal(1001);
    for (const bad of [{ SUDO_UID: '1000' }, { SUDO_UID: '-1', SUDO_GID: '5' }, { SUDO_UID: '10x', SUDO_GID: '5' }, { SUDO_UID: '', SUDO_GID: '' }]) {
      expect(invokingUser(bad).uid, JSON.stringify(bad)).to.equal(0);
    }
  });
});
