// Waiting for SIGTERM/SIGINT in main() without async-signal-safety pitfalls.
#ifndef HASHMESH_SERVICES_COMMON_SIGNALS_H_
#define HASHMESH_SERVICES_COMMON_SIGNALS_H_

namespace hashmesh {

// Blocks SIGTERM and SIGINT in the calling thread and every thread it starts
// later. Call first thing in main(), before any library spawns threads, so that
// WaitForTerminationSignal() is the only place those signals are delivered.
void BlockTerminationSignals();

// Waits (sigwait) until SIGTERM or SIGINT arrives; returns the signal number.
int WaitForTerminationSignal();

}  // namespace hashmesh

#endif  // HASHMESH_SERVICES_COMMON_SIGNALS_H_
