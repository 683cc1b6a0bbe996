// Advanced mode under a burst (issue 19): many guests opening one private room that its owner has
// not started ask Jicofo once, and a flood of distinct private rooms is capped rather than
// queued. test/support/fake-jicofo.ts counts what Jicofo is asked.
import { expect } from 'chai';
import { FakeJicofo } from '../support/fake-jicofo';
import { containsToken, get, spHeaders, startTestSidecar, wholeResponse, type TestSidecar } from '../support/test-sidecar';

const TENANT = 'private-x';
/** A private room none of the guests owns: the sidecar must ask Jicofo. */
const privateRoom = (name: string): string => `${name}__000000000000_aaaaaa-bbbbbb-cccccc`;
const ROOM = privateRoom('lecture');

const ask = (t: TestSidecar, room: string, guest: string): Promise<Response> =>
  get(`${t.front}/redirectWithToken?room=${room}&tenant=${TENANT}`, spHeaders({ mail: `${guest}@uni.example` }));

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition(), what).to.equal(true);
}

describe('http: the Jicofo probe under a burst (JWT_TOKEN_MODE=advanced)', () => {
  let jicofo: FakeJicofo;
  let t: TestSidecar;
  beforeEach(async () => {
    jicofo = new FakeJicofo();
    jicofo.mode = 'slow'; // answers after delayMs, so the burst arrives while the question is open
    jicofo.delayMs = 300;
    await jicofo.start();
    t = await startTestSidecar({ JWT_TOKEN_MODE: 'advanced', JICOFO_ROOM_ENDPOINTS: jicofo.url });
  });
  afterEach(async () => {
    await t.stop();
    await jicofo.stop();
  });

  it('40 guests at once for one private room that has not started: one Jicofo request, 40 refusals', async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => ask(t, ROOM, `guest${i}`)));
    expect(answers.map((a) => a.status)).to.deep.equal(Array<number>(40).fill(403));
    expect(jicofo.requests).to.equal(1);
    const reasons = t.logs.filter((l) => l.event === 'token_refused').map((l) => l.reason);
    expect(reasons, 'private_room is never summarised').to.deep.equal(Array<string>(40).fill('private_room'));
    // Right after, the answer is reused: the next guest does not ask again.
    expect((await ask(t, ROOM, 'late')).status).to.equal(403);
    expect(jicofo.requests).to.equal(1);
  });

  it('a started meeting: the burst of guests all get in, on one Jicofo request', async () => {
    jicofo.rooms = [`[${TENANT}]${ROOM}`];
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => ask(t, ROOM, `guest${i}`)));
    expect(answers.map((a) => a.status)).to.deep.equal(Array<number>(20).fill(302));
    expect(jicofo.requests).to.equal(1);
  });

  it('at most 16 private rooms are asked about at once: the 17th is refused at once (503 jicofo_busy), not queued', async () => {
    jicofo.delayMs = 800;
    const open = Array.from({ length: 16 }, (_, i) => ask(t, privateRoom(`room${i}`), `guest${i}`));
    await until(() => jicofo.requests === 16, 'Jicofo asked about 16 rooms');
    const started = performance.now();
    const busy = await ask(t, privateRoom('room16'), 'guest16');
    const ms = performance.now() - started;
    const whole = await wholeResponse(busy);
    expect(busy.status, whole.slice(0, 300)).to.equal(503);
    expect(whole).to.include('jicofo_busy');
    expect(containsToken(whole)).to.equal(false);
    expect(ms, 'refused without waiting for Jicofo').to.be.below(400);
    // A guest for a room already being asked about waits for that answer instead.
    const joined = ask(t, privateRoom('room0'), 'guest99');
    expect((await Promise.all([...open, joined])).map((a) => a.status)).to.deep.equal(Array<number>(17).fill(403));
    expect(jicofo.requests).to.equal(16);
    // The places free up once the answers are in.
    expect((await ask(t, privateRoom('room16'), 'guest16')).status).to.equal(403);
    expect(jicofo.requests).to.equal(17);
  });
});
