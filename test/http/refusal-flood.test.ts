// A flood of refusals writes a few audit lines a window, not one a request; issued tokens are
// still audited one line each.
import { expect } from 'chai';
import { request } from 'node:http';
import { createLogger } from '../../sidecar/src/log';
import { FREE_LINES, RefusalAudit, type RefusalFields } from '../../sidecar/src/http/token-endpoint/refusal-audit';
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

  it('from one address: the first few lines, then one summary with the count and the first and last reasons', async () => {
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
    expect(summaries[0]).to.include({
      endpoint: 'redirectWithToken',
      clientAddress: '127.0.0.1',
      count: flood - FREE_LINES,
      firstReason: 'invalid_room',
      lastReason: 'missing_room',
    });
    expect(summaries[0]).to.not.have.property('reason');
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
    expect(summaries[0]).to.include({ endpoint: 'getToken', reason: 'bad_api_key', count: addresses.length - FREE_LINES, firstReason: 'bad_api_key', lastReason: 'bad_api_key' });
  });

  it('a quiet address keeps its own lines while another floods', async () => {
    for (let i = 0; i < 20; i++) await getFrom('127.0.0.2', `${t.front}/redirectWithToken?room=*`, spHeaders());
    // Another address, another reason: not part of either flood.
    expect(await getFrom('127.0.0.3', `${t.front}/redirectWithToken?room=a&tenant=*`, spHeaders())).to.equal(400);
    const lines = byEvent(t, 'token_refused');
    expect(lines).to.have.length(FREE_LINES + 1);
    expect(lines.at(-1)).to.include({ clientAddress: '127.0.0.3', reason: 'invalid_tenant' });
  });
});

describe('RefusalAudit: windows', () => {
  function audit(): { refusals: RefusalAudit; lines: Record<string, unknown>[]; clock: { now: number } } {
    const lines: Record<string, unknown>[] = [];
    const clock = { now: Date.parse('2026-12-01T12:00:00Z') };
    const log = createLogger('info', { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    return { refusals: new RefusalAudit(log, () => clock.now), lines, clock };
  }
  const refusal = (reason: string, clientAddress = '192.0.2.1'): RefusalFields => ({ endpoint: 'getToken', clientAddress, reason, status: 401 });

  it('starts counting afresh in each window, with one summary per window', () => {
    const { refusals, lines, clock } = audit();
    try {
      for (let i = 0; i < 8; i++) refusals.record(refusal('bad_api_key'));
      clock.now += 10_000;
      refusals.endWindow();
      for (let i = 0; i < 3; i++) refusals.record(refusal('rate_limited'));
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
    const { refusals, lines } = audit();
    try {
      for (let i = 0; i < 10_000; i++) refusals.record(refusal(`reason_${i}`, `10.0.${i >> 8}.${i & 255}`));
      for (let i = 0; i < 50; i++) refusals.record(refusal('late', `10.1.${i}.1`));
      refusals.endWindow();
      const summaries = lines.filter((l) => l.event === 'token_refused_summary');
      // Both maps are full: the late addresses share the overflow tally, summarised under it.
      expect(summaries).to.have.length(1);
      expect(summaries[0]).to.include({ clientAddress: 'overflow', count: 50 - FREE_LINES, firstReason: 'late', lastReason: 'late' });
    } finally {
      refusals.close();
    }
  });
});
