// Package mobilize decides whom a drive's invitation wave reaches (issue
// 21): the ranking of the eligible candidates and the size of a wave. It is
// pure: storage finds the candidates, the one eligibility rule
// (screening.Evaluate) judges them, the sender sends.
package mobilize
