import { expect } from 'chai';
import { parseMultiValued } from '../../../sidecar/src/identity/multi-value';

describe('identity/multi-value: parseMultiValued', () => {
  it('a single value', () => expect(parseMultiValued('alice@uni.example')).to.deep.equal(['alice@uni.example']));
  it('splits on ;', () => expect(parseMultiValued('staff@uni.example;member@uni.example')).to.deep.equal(['staff@uni.example', 'member@uni.example']));
  it('keeps an escaped \\; inside a value', () => expect(parseMultiValued('a\\;b;c')).to.deep.equal(['a;b', 'c']));
  it('an escaped \\; at the end', () => expect(parseMultiValued('abc\\;')).to.deep.equal(['abc;']));
  it('keeps other backslashes', () => expect(parseMultiValued('dom\\user;x\\\\y')).to.deep.equal(['dom\\user', 'x\\\\y']));
  it('trims values and drops empties', () => expect(parseMultiValued(' a ; ;b;; ')).to.deep.equal(['a', 'b']));
  it('an empty or blank header gives no values', () => {
    expect(parseMultiValued('')).to.deep.equal([]);
    expect(parseMultiValued(' ; ')).to.deep.equal([]);
  });
  it('joining escaped values and parsing them back is the identity (property)', () => {
    const samples = [['a;b', 'c'], ['x'], ['a b', ';', 'semi;colons;here'], ['ü;ß', 'mail@example.org']];
    for (const values of samples) {
      const header = values.map((v) => v.replace(/;/g, '\\;')).join(';');
      expect(parseMultiValued(header)).to.deep.equal(values.filter((v) => v.trim() !== ''));
    }
  });
});
