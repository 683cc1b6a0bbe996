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
    const settings = { tokenLogoutUrl: "https://m.example/it's", inlineLogin: false };
    const once = withOurBlock(mine, settings);
    expect(once.startsWith(mine)).to.equal(true);
    expect(once).to.include("\r\nconfig.tokenLogoutUrl = 'https://m.example/it\\'s';\r\n");
    expect(withOurBlock(once, settings)).to.equal(once);
    const plain = { tokenLogoutUrl: 'https://m.example/x', inlineLogin: false };
    expect(withOurBlock(null, plain).startsWith(beginMarker)).to.equal(true);
    expect(() => withOurBlock(`${beginMarker}\nconfig.x = 1;\n`, plain)).to.throw(/without/);
  });

  it('writes config.tokenAuthInline = true inside the block with inline login, and removes it again without', () => {
    const mine = 'config.tokenAuthInline = false; // the operator\'s own line, outside our block\n';
    const inline = withOurBlock(mine, { tokenLogoutUrl: 'https://m.example/x', inlineLogin: true });
    const block = inline.slice(inline.indexOf(beginMarker));
    expect(block).to.include('\nconfig.tokenAuthInline = true;\n');
    expect(inline.startsWith(mine)).to.equal(true);
    const off = withOurBlock(inline, { tokenLogoutUrl: 'https://m.example/x', inlineLogin: false });
    expect(off).to.equal(withOurBlock(mine, { tokenLogoutUrl: 'https://m.example/x', inlineLogin: false }));
    expect(off).not.to.include('tokenAuthInline = true');
    expect(off.startsWith(mine)).to.equal(true);
    // What Jitsi gets when it appends the file to config.js.
    const config: Record<string, unknown> = {};
    new Function('config', inline)(config);
    expect(config).to.deep.equal({ tokenAuthInline: true, tokenLogoutUrl: 'https://m.example/x' });
  });
});
