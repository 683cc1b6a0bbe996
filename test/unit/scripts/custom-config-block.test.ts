// scripts/custom-config-block: our block in Jitsi's custom-config.js.
import { expect } from 'chai';
import fc from 'fast-check';
import { beginMarker, jsSingleQuoted, withOurBlock } from '../../../scripts/custom-config-block';

describe('scripts/custom-config-block', () => {
  it('quotes any text as a JavaScript string literal that evaluates back to it (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (text) => {
        expect(new Function(`return ${jsSingleQuoted(text)};`)()).to.equal(text);
        expect(jsSingleQuoted(text)).not.to.match(/<\/script/i);
      }),
      { numRuns: 300 },
    );
  });

  it('adds its block once, keeps the rest, and refuses a block without an end marker', () => {
    const mine = "config.a = 1;\r\nconfig.b = 'x';\r\n";
    const once = withOurBlock(mine, "https://m.example/it's");
    expect(once.startsWith(mine)).to.equal(true);
    expect(once).to.include("\r\nconfig.tokenLogoutUrl = 'https://m.example/it\\'s';\r\n");
    expect(withOurBlock(once, "https://m.example/it's")).to.equal(once);
    expect(withOurBlock(null, 'https://m.example/x').startsWith(beginMarker)).to.equal(true);
    expect(() => withOurBlock(`${beginMarker}\nconfig.x = 1;\n`, 'https://m.example/x')).to.throw(/without/);
  });
});
