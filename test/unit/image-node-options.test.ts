// The bench and the soak run the built sidecar with the NODE_OPTIONS of its image: read from
// sidecar/Dockerfile, the one place it is written.
import { expect } from 'chai';
import { imageNodeOptions } from '../support/image-node-options';

describe("test/support/image-node-options: the sidecar image's NODE_OPTIONS", () => {
  it("is what sidecar/Dockerfile sets: Node 20's young generation size", () => {
    expect(imageNodeOptions()).to.equal('--max-semi-space-size=16');
  });

  it('reads an ENV line of its own, one inside a multi-line ENV, and a quoted value; none is an error', () => {
    expect(imageNodeOptions('FROM x\nENV NODE_OPTIONS=--a=1\n')).to.equal('--a=1');
    expect(imageNodeOptions('ENV NODE_ENV=production \\\n    NODE_OPTIONS="--a=1 --b" \\\n    X=1\n')).to.equal('--a=1 --b');
    expect(() => imageNodeOptions('FROM x\nENV NODE_ENV=production\n')).to.throw('sets no NODE_OPTIONS');
  });
});
