// Package mobsim is the synthetic donor population of the mobilization
// simulation (issue 21, point 6): who the donors are (units, province,
// sex, age, weight, donation history, deferrals) and how each of them
// behaves (answers a message by registering, shows up, is deferred at the
// desk). It is pure and seeded: the same Params and seed give the same
// population and the same answers, whatever order the questions come in,
// so two strategies run on one population meet the same people.
//
// The engine's decisions are not here: cmd/mobsim runs the real bot
// (storage, eligibility, scheduler, broadcast engine against the fake Bot
// API server) and asks this package only what a donor does.
package mobsim
