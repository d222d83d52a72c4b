// Package mobilize holds the rules that fill a drive to its target (issue
// 21): the forecast of what its registrations will give, the ranking of the
// eligible candidates for an invitation wave and the size of a wave, and how
// often the bot may contact a donor on its own initiative. It is
// pure: storage finds the candidates, the one eligibility rule
// (screening.Evaluate) judges them, the sender sends.
package mobilize
