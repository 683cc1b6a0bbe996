// A flood of refusals writes a few audit lines a window, not one a request; issued tokens are
// still audited one line each.
import { expect } from 'chai';
import { request } from 'node:http';
import { createLogger } from '../../sidecar/src/log';
import { FREE_LINES, MAX_USER_IDS, RefusalAudit, SECURITY_REASONS } from '../../sidecar/src/http/token-endpoint/refusal-audit';
import { bearer, containsToken, get, spHeaders, startTestSidecar, type TestSidecar } from '../support/test-sidecar';

/** GET from a chosen loopback source address (Linux routes all of 127/8 to lo). */
function getFrom(localAddress: string, url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((done, fail) => {
    const req = request(url, { localAddress, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode ?? 0));
    });
    req.on('error', fail);
    req.end();
  });
}

const byEvent = (t: TestSidecar, event: string): Record<string, unknown>[] => t.logs.filter((l) => l.event === event);

describe('http: a flood of refusals is summarised', () => {
  let t: TestSidecar;
  beforeEach(async () => {
    t = await startTestSidecar();
  });
  afterEach(async () => {
    await t.stop();
  });

  it('from one user: the first few lines, then one summary with the count per reason', async () => {
    const flood = 40;
    for (let i = 0; i < flood; i++) {
      const path = i === flood - 1 ? '/redirectWithToken?tenant=acme' : '/redirectWithToken?room=*';
      const res = await get(`${t.front}${path}`, spHeaders());
      expect(res.status).to.equal(400);
    }
    // Issued tokens in the middle of the flood: still one line each.
    for (let i = 0; i < 7; i++) expect((await get(`${t.front}/redirectWithToken?room=standup`, spHeaders())).status).to.equal(302);
    expect(byEvent(t, 'token_refused')).to.have.length(FREE_LINES);
    expect(byEvent(t, 'token_issued')).to.have.length(7);
    expect(byEvent(t, 'token_refused_summary'), 'no summary before the window ends').to.have.length(0);

    await t.stop(); // drain writes the window's summary
    const summaries = byEvent(t, 'token_refused_summary');
    expect(summaries).to.have.length(1);
    expect(summaries[0]).to.deep.include({
      endpoint: 'redirectWithToken',
      userId: 'alice@uni.example',
      count: flood - FREE_LINES,
      reasons: { invalid_room: flood - FREE_LINES - 1, missing_room: 1 },
      userIds: ['alice@uni.example'],
    });
    expect(summaries[0]).to.not.have.any.keys('reason', 'clientAddress', 'firstReason', 'lastReason');
    expect(t.rawLogs.some((line) => containsToken(line))).to.equal(false);
  });

  it('of one reason from many addresses: summarised by reason', async () => {
    // Wrong API keys, one per source address: no address floods, the reason does.
    const addresses = Array.from({ length: 12 }, (_, i) => `127.0.0.${i + 2}`);
    for (const a of addresses) {
      expect(await getFrom(a, `${t.backend}/getToken?mail=a%40b.example&room=r`, bearer('wrong-key-'.repeat(4)))).to.equal(401);
    }
    const lines = byEvent(t, 'token_refused');
    expect(lines).to.have.length(FREE_LINES);
    expect(lines.map((l) => l.clientAddress)).to.deep.equal(addresses.slice(0, FREE_LINES));
    await t.stop();
    const summaries = byEvent(t, 'token_refused_summary');
    expect(summaries).to.have.length(1);
    expect(summaries[0]).to.deep.include({ endpoint: 'getToken', reason: 'bad_api_key', count: addresses.length - FREE_LINES, reasons: { bad_api_key: addresses.length - FREE_LINES }, userIds: [] });
  });

  it('behind the one SP address, a user who floods does not hide another user\'s refusal (issue 19)', async () => {
    for (let i = 0; i < 20; i++) await get(`${t.front}/redirectWithToken?room=*`, spHeaders({ mail: 'mallory@uni.example' }));
    // The same SP address and the same reason, another user: a line of its own.
    expect((await get(`${t.front}/redirectWithToken?room=*`, spHeaders())).status).to.equal(400);
    const lines = byEvent(t, 'token_refused');
    expect(lines).to.have.length(FREE_LINES + 1);
    expect(lines.at(-1)).to.include({ clientAddress: '127.0.0.1', userId: 'alice@uni.example', reason: 'invalid_room' });
    await t.stop();
    expect(byEvent(t, 'token_refused_summary').map((l) => l.userId)).to.deep.equal(['mallory@uni.example']);
  });
});

function audit(): { refusals: RefusalAudit; lines: Record<string, unknown>[]; clock: { now: number } } {
  const lines: Record<string, unknown>[] = [];
  const clock = { now: Date.parse('2026-12-01T12:00:00Z') };
  const log = createLogger('info', { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { refusals: new RefusalAudit(log, () => clock.now), lines, clock };
}

/** Runs `work` on a fresh audit and returns every line it wrote, the window's summaries included. */
function audited(work: (refusals: RefusalAudit) => void): Record<string, unknown>[] {
  const { refusals, lines } = audit();
  try {
    work(refusals);
  } finally {
    refusals.close();
  }
  return lines;
}

const ofEvent = (lines: Record<string, unknown>[], event: string): Record<string, unknown>[] => lines.filter((l) => l.event === event);

/** A backend refusal, counted against the caller's address. */
function refuseAddress(refusals: RefusalAudit, reason: string, clientAddress = '192.0.2.1'): void {
  refusals.record({ endpoint: 'getToken', clientAddress, reason, status: 401 }, { clientAddress });
}

/** A front refusal of a user our SP vouched for, from the SP's address. */
function refuseUser(refusals: RefusalAudit, userId: string, reason: string): void {
  refusals.record({ endpoint: 'redirectWithToken', clientAddress: '172.30.0.5', userId, reason, status: 400 }, { userId });
}

describe('RefusalAudit: windows', () => {
  it('starts counting afresh in each window, with one summary per window', () => {
    const { refusals, lines, clock } = audit();
    try {
      for (let i = 0; i < 8; i++) refuseAddress(refusals, 'bad_api_key');
      clock.now += 10_000;
      refusals.endWindow();
      for (let i = 0; i < 3; i++) refuseAddress(refusals, 'rate_limited');
      refusals.endWindow();
      expect(lines.map((l) => l.event)).to.deep.equal([
        ...Array<string>(FREE_LINES).fill('token_refused'),
        'token_refused_summary',
        'token_refused',
        'token_refused',
        'token_refused',
      ]);
      expect(lines[FREE_LINES]).to.include({ count: 8 - FREE_LINES, windowStart: '2026-12-01T12:00:00.000Z', windowSeconds: 10, level: 40 });
    } finally {
      refusals.close();
    }
  });

  it('keeps memory bounded: past 10 000 addresses a window, the rest share one overflow summary', () => {
    const lines = audited((refusals) => {
      for (let i = 0; i < 10_000; i++) refuseAddress(refusals, `reason_${i}`, `10.0.${i >> 8}.${i & 255}`);
      for (let i = 0; i < 50; i++) refuseAddress(refusals, 'late', `10.1.${i}.1`);
    });
    const summaries = ofEvent(lines, 'token_refused_summary');
    // Both maps are full: the late addresses share the overflow tally, summarised under it.
    expect(summaries).to.have.length(1);
    expect(summaries[0]).to.deep.include({ endpoint: 'getToken', overflow: true, count: 50 - FREE_LINES, reasons: { late: 50 - FREE_LINES } });
  });
});

describe('RefusalAudit: one flooder cannot blind the audit (issue 19)', () => {
  it('a user who floods does not hide another user\'s refusal, of the same reason, from the same SP address', () => {
    const lines = audited((refusals) => {
      for (let i = 0; i < 50; i++) refuseUser(refusals, 'mallory', 'invalid_room');
      refuseUser(refusals, 'alice', 'invalid_room');
      refuseUser(refusals, 'bob', 'missing_room');
    });
    const refused = ofEvent(lines, 'token_refused');
    expect(refused.map((l) => l.userId)).to.deep.equal([...Array<string>(FREE_LINES).fill('mallory'), 'alice', 'bob']);
    const summaries = ofEvent(lines, 'token_refused_summary');
    expect(summaries).to.have.length(1);
    expect(summaries[0]).to.deep.include({ endpoint: 'redirectWithToken', userId: 'mallory', count: 50 - FREE_LINES, reasons: { invalid_room: 50 - FREE_LINES }, userIds: ['mallory'] });
  });

  it('an address that floods the backend does not spend the reason\'s budget of other addresses', () => {
    const lines = audited((refusals) => {
      for (let i = 0; i < 30; i++) refuseAddress(refusals, 'bad_api_key', '192.0.2.1');
      refuseAddress(refusals, 'bad_api_key', '192.0.2.2');
    });
    expect(ofEvent(lines, 'token_refused').at(-1)).to.include({ clientAddress: '192.0.2.2', reason: 'bad_api_key' });
  });

  it('the security reasons always get their own line, from a flooding user, past any budget', () => {
    const lines = audited((refusals) => {
      for (let i = 0; i < 20; i++) refuseUser(refusals, 'mallory', 'invalid_room');
      for (let round = 0; round < 3; round++) {
        for (const reason of SECURITY_REASONS) refuseUser(refusals, 'mallory', reason);
      }
      // Security refusals spend no budget either: a new user's first refusal is still a line.
      refuseUser(refusals, 'alice', 'invalid_room');
    });
    const security = ofEvent(lines, 'token_refused').filter((l) => SECURITY_REASONS.has(l.reason as string));
    expect(security.map((l) => l.reason)).to.deep.equal([...SECURITY_REASONS, ...SECURITY_REASONS, ...SECURITY_REASONS]);
    expect([...SECURITY_REASONS].sort()).to.deep.equal(['policy_denied', 'private_room', 'room_mismatch', 'untrusted_proxy', 'wrong_idp', 'wrong_issuer']);
    expect(ofEvent(lines, 'token_refused').at(-1)).to.include({ userId: 'alice' });
    const summaries = ofEvent(lines, 'token_refused_summary');
    expect(summaries).to.have.length(1);
    expect(summaries[0]).to.deep.include({ userId: 'mallory', count: 20 - FREE_LINES, reasons: { invalid_room: 20 - FREE_LINES } });
  });

  it('a user\'s summary counts each reason', () => {
    const lines = audited((refusals) => {
      for (let i = 0; i < FREE_LINES; i++) refuseUser(refusals, 'mallory', 'invalid_room');
      for (const reason of ['invalid_room', 'missing_room', 'invalid_room', 'rate_limited', 'missing_room', 'invalid_room']) refuseUser(refusals, 'mallory', reason);
    });
    const [summary] = ofEvent(lines, 'token_refused_summary');
    expect(summary).to.deep.include({ userId: 'mallory', count: 6, reasons: { invalid_room: 3, missing_room: 2, rate_limited: 1 }, userIds: ['mallory'] });
  });

  it('a reason\'s summary names the distinct users, at most MAX_USER_IDS, and says when there were more', () => {
    const users = Array.from({ length: FREE_LINES + MAX_USER_IDS + 3 }, (_, i) => `user${i}@uni.example`);
    const lines = audited((refusals) => {
      for (const u of users) refuseUser(refusals, u, 'invalid_tenant');
      refuseUser(refusals, users.at(-1) as string, 'invalid_tenant'); // a repeat is not a new user
    });
    const summaries = ofEvent(lines, 'token_refused_summary');
    expect(summaries).to.have.length(1);
    expect(summaries[0]).to.deep.include({
      endpoint: 'redirectWithToken',
      reason: 'invalid_tenant',
      count: MAX_USER_IDS + 3 + 1,
      reasons: { invalid_tenant: MAX_USER_IDS + 4 },
      userIds: users.slice(FREE_LINES, FREE_LINES + MAX_USER_IDS),
      moreUserIds: true,
    });
  });

  it('a summary with fewer distinct users than the cap names them all, without moreUserIds', () => {
    const lines = audited((refusals) => {
      for (let i = 0; i < FREE_LINES + 2; i++) refuseUser(refusals, `u${i}`, 'invalid_tenant');
    });
    const [summary] = ofEvent(lines, 'token_refused_summary');
    expect(summary).to.deep.include({ reason: 'invalid_tenant', count: 2, userIds: [`u${FREE_LINES}`, `u${FREE_LINES + 1}`] });
    expect(summary).to.not.have.property('moreUserIds');
  });
});
