// A --require preload for a child process: SIGKILL before its Nth write under a folder, as a
// crash at that moment would. SAML2JWT_TEST_KILL_ROOT is the folder, SAML2JWT_TEST_KILL_AT the
// 0-based write number. Lives in test/support so that no shipped code knows about faults.
import { injectFsFault } from './fs-faults';

const root = process.env.SAML2JWT_TEST_KILL_ROOT;
const at = Number(process.env.SAML2JWT_TEST_KILL_AT);
if (root && Number.isInteger(at)) injectFsFault(root, at, () => process.kill(process.pid, 'SIGKILL'));
