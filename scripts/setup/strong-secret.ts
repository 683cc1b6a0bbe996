import { secretProblem } from '../../sidecar/src/config/secret-strength';

/** A secret worth keeping: one the sidecar accepts at start (its own rule, shared with doctor). */
export function isStrongSecret(value: string | undefined): value is string {
  return value !== undefined && secretProblem(value) === undefined;
}
