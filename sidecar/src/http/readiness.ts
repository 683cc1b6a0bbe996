// /readyz answers from this: ready once both listeners are up, not ready again while draining
// (so a load balancer stops sending before we stop accepting).
export class Readiness {
  frontUp = false;
  backendUp = false;
  draining = false;

  get ready(): boolean {
    return this.frontUp && this.backendUp && !this.draining;
  }
}
