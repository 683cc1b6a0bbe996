import { expect } from 'chai';
import { Refusal } from '../../sidecar/src/refusal';

/** Runs fn and returns the Refusal it throws; fails the test if it throws anything else or nothing. */
export function refusalOf(fn: () => unknown): Refusal {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(Refusal);
    return err as Refusal;
  }
  return expect.fail('expected a Refusal');
}
